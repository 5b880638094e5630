// convertCheckpoint: .bin shards → safetensors shards with identical bytes, side files copied,
// training-only tensors dropped on request.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '@evejs/tensor';
import { convertCheckpoint, PytorchCheckpoint } from '../src/index.js';
import { backendUnavailable } from '../test/backends.js';
import { TINY_EVE_DIR } from '../test/fixtures.js';

let tmp: string;
beforeAll(async () => {
  await backendUnavailable('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'eve-convert-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('convertCheckpoint', () => {
  it('copies every tensor byte for byte into sharded safetensors', async () => {
    const out = join(tmp, 'all');
    const r = await convertCheckpoint(`${TINY_EVE_DIR}-bin`, out, { maxShardBytes: 200_000 });
    expect(r.dropped).toBe(0);
    const names = await readdir(out);
    expect(names).toEqual(expect.arrayContaining(['config.json', 'preprocessor_config.json', 'model.safetensors.index.json', 'model-00001-of-00004.safetensors']));
    const src = await PytorchCheckpoint.open(join(`${TINY_EVE_DIR}-bin`, 'pytorch_model.bin.index.json'));
    const dst = await openCheckpoint(out);
    try {
      expect(dst.keys().sort()).toEqual(src.keys().sort());
      for (const k of src.keys()) {
        expect(dst.info(k).fileDType, k).toBe('BF16');
        expect(Buffer.from(await dst.readRaw(k)).equals(Buffer.from(await src.readRaw(k))), k).toBe(true);
      }
    } finally {
      await src.close();
      await dst.close();
    }
  });

  it('drops the training-only tensors on request', async () => {
    const out = join(tmp, 'inference');
    const r = await convertCheckpoint(`${TINY_EVE_DIR}-bin`, out, { dropTrainingOnly: true });
    expect(r.dropped).toBe(92);
    const dst = await openCheckpoint(out);
    expect(dst.keys().some((k) => k.includes('vision_clip') || k.includes('inv_freq'))).toBe(false);
    await dst.close();
  });
});
