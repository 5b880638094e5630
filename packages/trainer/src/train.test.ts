/**
 * End-to-end training on the tiny fixture (4 layers, hidden 64, CLIP teacher): all three stages
 * for a few steps each (losses fall; the final checkpoint reloads with `loadPretrained` to the
 * same logits), and exact resumption (N steps straight = N/2, save, resume, N/2: same losses and
 * the same bytes in model.safetensors and optimizer.safetensors).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noGrad, registerCpuBackend } from '@evejs/tensor';
import { loadPretrained } from '@evejs/model';
import { loadTokenizer } from '@evejs/tokenizer';
import { parseProcessorConfig } from '@evejs/image';
import { writeTinyDataset } from '../test/tiny-dataset.js';
import { runTraining } from './train.js';
import { trainStage, stageSettings } from './train-stage.js';
import { readRecords, SampleBuilder } from './training-data.js';
import { loadTrainingModel } from './training-model.js';

const FIXTURE = fileURLToPath(new URL('../../model/test/fixtures/tiny-eve', import.meta.url));
let dir = '';
let data: { captions: string; conversations: string; images: string };

beforeAll(async () => {
  registerCpuBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'eve-train-'));
  data = await writeTinyDataset(path.join(dir, 'data'), 8);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training', () => {
  it('runs prealign → pretrain → sft: losses fall and the checkpoint reloads to the same logits', async () => {
    const common = { imageFolder: data.images, teacher: 'clip' as const };
    const s1 = await trainStage({
      ...common,
      stage: 'prealign',
      modelDir: FIXTURE,
      dataPath: data.captions,
      outDir: path.join(dir, 's1'),
      overrides: { steps: 8, batchSize: 2, visionLr: 1e-2, warmupRatio: 0, schedule: 'constant', shuffle: false },
    });
    const s2 = await trainStage({
      ...common,
      stage: 'pretrain',
      modelDir: s1.checkpoint,
      dataPath: data.captions,
      outDir: path.join(dir, 's2'),
      overrides: { steps: 8, batchSize: 2, lr: 3e-3, warmupRatio: 0, schedule: 'constant', shuffle: false },
    });
    for (const r of [s1, s2]) expect(mean(r.history.slice(-3).map((h) => h.loss))).toBeLessThan(mean(r.history.slice(0, 3).map((h) => h.loss)));
    // Stage 3 through the lower-level API, so the trained model is still in memory.
    const tm = await loadTrainingModel(s2.checkpoint, { teacher: 'clip' });
    const builder = new SampleBuilder({
      tokenizer: await loadTokenizer(s2.checkpoint),
      processor: parseProcessorConfig(tm.processor.raw),
      template: 'v1',
      maxLength: 256,
      teacher: { kind: 'clip', model: tm.teacher! },
    });
    const records = await readRecords(data.conversations, data.images);
    const s3 = await runTraining({
      settings: stageSettings('sft', { steps: 8, batchSize: 2, lr: 3e-3, warmupRatio: 0, schedule: 'constant', shuffle: false }),
      model: tm,
      records,
      builder,
      outDir: path.join(dir, 's3'),
    });
    expect(mean(s3.history.slice(-3).map((h) => h.loss))).toBeLessThan(mean(s3.history.slice(0, 3).map((h) => h.loss)));
    const sample = await builder.build(records[0]!);
    const reloaded = await loadPretrained(s3.checkpoint);
    const [a, b] = noGrad(() => [tm.model.forward(sample.inputIds, [sample.image]).logits, reloaded.model.forward(sample.inputIds, [sample.image]).logits]);
    expect(Array.from(await b!.data())).toEqual(Array.from(await a!.data()));
  }, 120_000);

  it('resumes exactly: N steps = N/2 + resume + N/2, bit for bit', async () => {
    const opts = {
      stage: 'pretrain' as const,
      modelDir: FIXTURE,
      dataPath: data.captions,
      imageFolder: data.images,
      teacher: 'clip' as const,
      overrides: { steps: 6, batchSize: 2, gradAccum: 2, lr: 3e-3, warmupRatio: 0.2, seed: 3 },
    };
    const straight = await trainStage({ ...opts, outDir: path.join(dir, 'straight') });
    const half = await trainStage({ ...opts, outDir: path.join(dir, 'split'), stopAfter: 3 });
    expect(half.state.step).toBe(3);
    const rest = await trainStage({ ...opts, outDir: path.join(dir, 'split'), resume: true });
    const losses = (h: { loss: number; lm_loss: number; align_loss: number; grad_norm: number }[]) => h.map((x) => [x.loss, x.lm_loss, x.align_loss, x.grad_norm]);
    expect(losses(rest.history)).toEqual(losses(straight.history));
    for (const f of ['model.safetensors', 'optimizer.safetensors']) {
      const [x, y] = await Promise.all([readFile(path.join(straight.checkpoint, f)), readFile(path.join(rest.checkpoint, f))]);
      expect(Buffer.compare(x, y)).toBe(0);
    }
  }, 120_000);
});
