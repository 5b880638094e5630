import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestCheckpoint, writeCheckpointDir } from './checkpoint-dir.js';
import { assertFinite, TrainingDivergedError } from './divergence.js';
import { lossCurveSvg, writeLossCurve } from './loss-curve.js';
import { MetricsLog } from './metrics-log.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ckpt-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('atomic checkpoints', () => {
  it('publishes a complete folder and points latest at it', async () => {
    await writeCheckpointDir(root, 'checkpoint-10', async (dir) => writeFile(path.join(dir, 'model.safetensors'), 'weights-10'));
    expect(await latestCheckpoint(root)).toBe(path.join(root, 'checkpoint-10'));
    expect(await readFile(path.join(root, 'checkpoint-10', 'model.safetensors'), 'utf8')).toBe('weights-10');
  });

  it('a save that fails half-way leaves the last good checkpoint and latest untouched', async () => {
    await writeCheckpointDir(root, 'checkpoint-10', async (dir) => writeFile(path.join(dir, 'model.safetensors'), 'weights-10'));
    const failing = writeCheckpointDir(root, 'checkpoint-20', async (dir) => {
      await writeFile(path.join(dir, 'model.safetensors'), 'partial');
      throw new Error('disk full');
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(await latestCheckpoint(root)).toBe(path.join(root, 'checkpoint-10'));
    expect(existsSync(path.join(root, 'checkpoint-20'))).toBe(false);
    expect((await readdir(root)).sort()).toEqual(['checkpoint-10', 'latest']);
  });

  it('overwriting a checkpoint of the same name replaces it whole', async () => {
    await writeCheckpointDir(root, 'final', async (dir) => writeFile(path.join(dir, 'a'), '1'));
    await writeCheckpointDir(root, 'final', async (dir) => writeFile(path.join(dir, 'b'), '2'));
    expect((await readdir(path.join(root, 'final'))).sort()).toEqual(['b']);
  });
});

describe('metrics log, loss curve, divergence', () => {
  it('appends one line per step, ignores a truncated tail and truncates for resume', async () => {
    const log = new MetricsLog(path.join(root, 'log.jsonl'));
    for (let s = 1; s <= 4; s++) log.append({ step: s, lr: 1e-3, loss: 2 / s, lm_loss: 1.5 / s, align_loss: 0.5 / s, grad_norm: 1 });
    await writeFile(log.file, `${await readFile(log.file, 'utf8')}{"step": 5, "lo`);
    expect(log.read().map((m) => m.step)).toEqual([1, 2, 3, 4]);
    log.truncateAfter(2);
    expect(log.read().map((m) => m.step)).toEqual([1, 2]);
  });

  it('draws a PNG loss curve with a line per series', async () => {
    const metrics = Array.from({ length: 20 }, (_, i) => ({ step: i + 1, lr: 1, loss: 3 - i / 10, lm_loss: 2 - i / 20, align_loss: 1 - i / 30, grad_norm: 1 }));
    expect(lossCurveSvg(metrics).match(/<polyline/g)).toHaveLength(3);
    const file = path.join(root, 'loss.png');
    await writeLossCurve(file, metrics);
    const bytes = await readFile(file);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  });

  it('stops on a NaN or infinite value, naming it', () => {
    expect(() => assertFinite(7, { loss: 1, grad_norm: NaN })).toThrow(TrainingDivergedError);
    expect(() => assertFinite(7, { loss: Infinity })).toThrow(/step 7: loss is Infinity/);
    expect(() => assertFinite(7, { loss: 1.5 })).not.toThrow();
  });
});
