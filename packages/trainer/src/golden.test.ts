/**
 * Agreement with the PyTorch reference (tools/trainer-fixtures/train_reference.py, float64,
 * torch.optim.AdamW + clip_grad_norm_ + HF cosine LambdaLR): from the tiny fixture, on the same
 * samples, order and hyperparameters (tools/trainer-fixtures/golden-settings.json), each stage's
 * per-step loss, lm_loss and align_loss over 20 optimizer steps match within 1e-3 relative.
 * The bound is loose against f32 rounding (~1e-6 per op) because 20 steps of AdamW amplify it
 * where the second moment is tiny.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCpuBackend } from '@evejs/tensor';
import { loadTokenizer } from '@evejs/tokenizer';
import { parseProcessorConfig } from '@evejs/image';
import { writeTinyDataset } from '../test/tiny-dataset.js';
import { STAGE_PRESETS, type StageName } from './stage-presets.js';
import { runTraining } from './train.js';
import { stageSettings } from './train-stage.js';
import { readRecords, SampleBuilder } from './training-data.js';
import { loadTrainingModel } from './training-model.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.resolve(here, '../../model/test/fixtures/tiny-eve');
const SETTINGS = JSON.parse(readFileSync(path.resolve(here, '../../../tools/trainer-fixtures/golden-settings.json'), 'utf8')) as {
  steps: number;
  samples: number;
  stages: Record<StageName, { data: 'captions' | 'conversations'; batchSize: number; gradAccum: number; lr: number; visionLr?: number; projectorLr?: number; warmupRatio: number; maxLength: number }>;
};
const GOLDEN = JSON.parse(readFileSync(path.resolve(here, '../test/fixtures/golden-losses.json'), 'utf8')) as {
  stages: Record<string, { step: number; loss: number; lm_loss: number; align_loss: number; grad_norm: number }[]>;
};

let dir = '';
let data: { captions: string; conversations: string; images: string };
beforeAll(async () => {
  registerCpuBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'eve-golden-'));
  data = await writeTinyDataset(path.join(dir, 'data'), SETTINGS.samples);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('agreement with the PyTorch training reference', () => {
  for (const stage of Object.keys(GOLDEN.stages) as StageName[]) {
    it(`${stage}: 20 steps of loss, lm_loss, align_loss within 1e-3 relative`, async () => {
      const st = SETTINGS.stages[stage];
      const tm = await loadTrainingModel(FIXTURE, { teacher: 'clip' });
      const builder = new SampleBuilder({
        tokenizer: await loadTokenizer(FIXTURE),
        processor: parseProcessorConfig(tm.processor.raw),
        template: STAGE_PRESETS[stage].template,
        maxLength: st.maxLength,
        teacher: { kind: 'clip', model: tm.teacher! },
      });
      const records = await readRecords(st.data === 'captions' ? data.captions : data.conversations, data.images);
      const r = await runTraining({
        settings: stageSettings(stage, {
          steps: SETTINGS.steps,
          batchSize: st.batchSize,
          gradAccum: st.gradAccum,
          lr: st.lr,
          ...(st.visionLr !== undefined ? { visionLr: st.visionLr } : {}),
          ...(st.projectorLr !== undefined ? { projectorLr: st.projectorLr } : {}),
          warmupRatio: st.warmupRatio,
          schedule: 'cosine',
          shuffle: false,
        }),
        model: tm,
        records,
        builder,
        outDir: path.join(dir, stage),
      });
      const golden = GOLDEN.stages[stage]!;
      let worst = 0;
      for (const [i, g] of golden.entries()) {
        const h = r.history[i]!;
        for (const k of ['loss', 'lm_loss', 'align_loss'] as const) worst = Math.max(worst, Math.abs(h[k] - g[k]) / Math.max(Math.abs(g[k]), 1e-12));
      }
      expect(worst).toBeLessThan(1e-3);
    }, 180_000);
  }
});
