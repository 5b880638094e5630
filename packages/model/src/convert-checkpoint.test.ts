// convertCheckpoint: .bin shards → safetensors shards with identical bytes, side files copied,
// training-only tensors dropped on request; quantised copies that load to exactly the model that
// quantising while loading gives, at a fraction of the size.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileDType, memory, noGrad, openCheckpoint, saveSafetensorsRaw, tidy } from '@evejs/tensor';
import { convertCheckpoint, loadPretrained, PytorchCheckpoint } from '../src/index.js';
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

  for (const format of ['q8_0', 'q4_0'] as const) {
    it(`writes a ${format} copy that loads as ${format} and gives the logits of quantising while loading`, async () => {
      const out = join(tmp, format);
      const r = await convertCheckpoint(`${TINY_EVE_DIR}-bin`, out, { quantize: format });
      expect(r.dropped).toBe(92);
      const dst = await openCheckpoint(out);
      expect(dst.metadata['evejs_quantization']).toBe(format);
      expect(dst.info('model.layers.0.mlp.down_proj.weight.quants')).toMatchObject({ fileDType: 'I32', shape: [64, 160 / (format === 'q8_0' ? 4 : 8)] });
      expect(dst.info('model.layers.0.mlp.down_proj.weight.scales')).toMatchObject({ fileDType: 'F16', shape: [64, 5] });
      expect(dst.has('model.layers.0.input_layernorm.weight')).toBe(true); // vectors stay as stored
      await dst.close();

      const before = memory().numTensors;
      const fromCopy = await loadPretrained(out, { backend: 'cpu' });
      const onLoad = await loadPretrained(`${TINY_EVE_DIR}-bin`, { backend: 'cpu', dtype: format });
      expect(fromCopy.model.model.layers[0]!.mlp.downProj.weightSlot.quantized?.format).toBe(format);
      expect(fromCopy.report.weightBytes).toBe(onLoad.report.weightBytes);
      const ids = [1, 306, 96, 263, 2, 17, 99, 319];
      const a = noGrad(() => tidy(() => fromCopy.model.forward(ids).logits));
      const b = noGrad(() => tidy(() => onLoad.model.forward(ids).logits));
      expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
      a.dispose();
      b.dispose();
      fromCopy.model.dispose();
      onLoad.model.dispose();
      expect(memory().numTensors).toBe(before);
    });
  }

  it('refuses a quantised copy whose quants and scales do not describe one matrix, naming the key', async () => {
    const out = join(tmp, 'q8_0'); // written by the q8_0 case above
    const bad = join(tmp, 'bad-quant');
    await cp(out, bad, { recursive: true });
    const src = await openCheckpoint(join(out, 'model.safetensors'));
    const key = 'model.layers.1.self_attn.o_proj.weight';
    const sources = [];
    for (const k of src.keys()) {
      const info = src.info(k);
      // The scales lose a column: 2 blocks per row no longer match the 16 words of quants.
      const cut = k === `${key}.scales`;
      const bytes = await src.readRaw(k);
      sources.push({ key: k, fileDType: info.fileDType as FileDType, shape: cut ? [info.shape[0]!, info.shape[1]! - 1] : info.shape, bytes: async () => (cut ? bytes.slice(0, info.shape[0]! * (info.shape[1]! - 1) * 2) : bytes) });
    }
    await src.close();
    await saveSafetensorsRaw(join(bad, 'model.safetensors'), sources, { format: 'pt', evejs_quantization: 'q8_0' });
    const before = memory().numTensors;
    await expect(loadPretrained(bad, { backend: 'cpu' })).rejects.toThrow(new RegExp(`${key.replaceAll('.', '\\.')} is stored quantised but its quants I32\\[64, 16\\] and scales F16\\[64, 1\\] do not match`));
    expect(memory().numTensors).toBe(before);
  });
});
