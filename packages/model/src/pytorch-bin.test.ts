// Reading torch.save checkpoints without Python: layouts (storage offsets, strides, dtypes,
// scalars) against values PyTorch wrote next to the file, the restricted unpickler's refusals,
// and the tiny EVE as BF16 .bin shards (weights equal to evejs's own bf16 rounding; logits
// within the bf16 tolerance of the float64 golden).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { noGrad, openCheckpoint, tidy } from '@evejs/tensor';
import { compareStats } from '@evejs/tensor/testing';
import { loadPretrained, prepareImage, PytorchCheckpoint, unpickleStateDict } from '../src/index.js';
import { backendUnavailable } from '../test/backends.js';
import { readGolden, TINY_EVE_DIR } from '../test/fixtures.js';

const VIEWS = fileURLToPath(new URL('../test/fixtures/torch-views.bin', import.meta.url));
const TINY_BIN = `${TINY_EVE_DIR}-bin`;

beforeAll(async () => {
  await backendUnavailable('cpu');
});

describe('PytorchCheckpoint', () => {
  it('rebuilds views, strided tensors, every float dtype and scalars', async () => {
    const expected = JSON.parse(await readFile(`${VIEWS}.json`, 'utf8')) as Record<string, { shape: number[]; values: number[] }>;
    const ckpt = await PytorchCheckpoint.open(VIEWS);
    try {
      expect(ckpt.keys()).toEqual(Object.keys(expected));
      expect(ckpt.info('bf16')).toMatchObject({ fileDType: 'BF16', dtype: 'bf16', shape: [5], byteLength: 10 });
      for (const [key, e] of Object.entries(expected)) {
        const t = await ckpt.read(key, { backend: 'cpu' });
        expect(t.shape, key).toEqual(e.shape);
        expect(Array.from(t.dataSync()), key).toEqual(e.values);
        t.dispose();
      }
      const asF32 = await ckpt.read('bf16', { dtype: 'f32', backend: 'cpu' });
      expect(asF32.dtype).toBe('f32');
      asF32.dispose();
    } finally {
      await ckpt.close();
    }
  });

  it('refuses pickles that would call anything but the state-dict constructors', () => {
    // protocol 2: GLOBAL 'os system', (string), REDUCE, STOP
    const evil = Buffer.concat([Buffer.from([0x80, 2]), Buffer.from('cos\nsystem\n', 'latin1'), Buffer.from([0x58, 2, 0, 0, 0]), Buffer.from('ls'), Buffer.from([0x85, 0x52, 0x2e])]);
    expect(() => unpickleStateDict(evil)).toThrow(/refusing global os\.system/);
    expect(() => unpickleStateDict(Buffer.from([0x80, 2, 0xff]))).toThrow(/unsupported pickle opcode 0xff/);
  });

  it('loads the tiny EVE from BF16 .bin shards: bf16-rounded weights, logits within the bf16 tolerance', async () => {
    const golden = await readGolden();
    const fromBin = await loadPretrained(TINY_BIN, { backend: 'cpu', dtype: 'bf16' });
    const st = await openCheckpoint(`${TINY_EVE_DIR}/model.safetensors.index.json`);
    try {
      expect(fromBin.report.skipped).toHaveLength(92);
      // the .bin holds torch's bf16 rounding of the f32 weights; evejs rounds the same way
      for (const key of ['model.layers.1.mlp.down_proj.weight', 'model.embed_tokens.weight']) {
        const want = await st.read(key, { dtype: 'bf16', backend: 'cpu' });
        expect(Array.from(fromBin.model.stateDict()[key]!.rawDataSync()), key).toEqual(Array.from(want.rawDataSync()));
        want.dispose();
      }
    } finally {
      await st.close();
    }
    for (const c of golden.cases) {
      const images = c.pixelValues ? [prepareImage(c.pixelValues, [4, 84, 84], 14, 'cpu')] : [];
      const logits = noGrad(() => tidy(() => fromBin.model.forward(c.inputIds, images).logits));
      expect(compareStats(logits.dataSync() as Float32Array, c.logits).relL2, c.name).toBeLessThan(2e-2);
      logits.dispose();
      for (const im of images) im.pixels.dispose();
    }
    fromBin.model.dispose();
  });
});
