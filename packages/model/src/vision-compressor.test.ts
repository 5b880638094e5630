// Training-only modules against the float64 PyTorch reference: the CLIP teacher's features
// (hidden_states[-2] without the class token) and the patch aligning layer's prediction and
// cosine loss from the decoder's hidden states, for a square and a wide image.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memory, noGrad, openCheckpoint, tensor, tidy, type Tensor } from '@evejs/tensor';
import { compareStats } from '@evejs/tensor/testing';
import { type ClipVisionTower, loadPretrained, loadTrainingModules, prepareImage, type VisionCompressor, type LoadedEve } from '../src/index.js';
import { backendUnavailable } from '../test/backends.js';
import { readGolden, TINY_EVE_DIR } from '../test/fixtures.js';

const golden = await readGolden();

async function goldenHost(key: string): Promise<Float32Array> {
  const g = await openCheckpoint(join(TINY_EVE_DIR, 'golden.safetensors'));
  try {
    const t = await g.read(key, { dtype: 'f32', backend: 'cpu' });
    const d = t.dataSync() as Float32Array;
    t.dispose();
    return d;
  } finally {
    await g.close();
  }
}

describe('CLIP teacher and patch aligning layer (cpu)', () => {
  let loaded: LoadedEve;
  let teacher: ClipVisionTower;
  let compressor: VisionCompressor;
  beforeAll(async () => {
    await backendUnavailable('cpu');
    loaded = await loadPretrained(TINY_EVE_DIR, { backend: 'cpu' });
    ({ teacher, compressor } = await loadTrainingModules(TINY_EVE_DIR, loaded, { backend: 'cpu' }));
  });
  afterAll(() => {
    loaded?.model.dispose();
    teacher?.dispose();
    compressor?.dispose();
  });

  it('loads the frozen teacher and the trainable aligning layer', () => {
    expect(compressor.layerIdx).toEqual([4, 0]);
    expect(teacher.trainableParameters()).toHaveLength(0);
    expect(compressor.trainableParameters().length).toBe([...compressor.namedParameters()].length);
  });

  for (const name of ['square', 'wide'] as const) {
    it(`${name}: teacher features, aligning prediction and loss match the reference`, async () => {
      const c = golden.cases.find((x) => x.name === name)!;
      const imagesClip = await goldenHost(`${name}.images_clip`);
      const M = loaded.processor.imageSizeClip;
      const before = memory().numTensors;
      const image = prepareImage(c.pixelValues!, [4, 84, 84], 14);
      const clipPixels = tensor(imagesClip.subarray(0, 3 * M * M), [3, M, M]);
      const out = noGrad(() =>
        tidy(() => {
          const states: Tensor[] = [];
          const r = loaded.model.forward(c.inputIds, [image], { hiddenStates: states });
          const features = teacher.forward(clipPixels);
          const pred = compressor.predict(states, c.inputIds.indexOf(-200), r.imageGrids[0]!);
          const valid = compressor.validTeacherPatches(imagesClip.subarray(3 * M * M), M);
          return { features, pred, loss: compressor.loss(pred, features, valid) };
        }),
      );
      const f = compareStats(out.features.dataSync() as Float32Array, await goldenHost(`${name}.clip_features`));
      const p = compareStats(out.pred.dataSync() as Float32Array, await goldenHost(`${name}.compressor_pred`));
      expect(f.relL2, `teacher ${JSON.stringify(f)}`).toBeLessThan(1e-4);
      expect(p.relL2, `prediction ${JSON.stringify(p)}`).toBeLessThan(1e-4);
      expect((await out.loss.item()) - (await goldenHost(`${name}.clip_loss`))[0]!).toBeCloseTo(0, 5);
      for (const t of [out.features, out.pred, out.loss, image.pixels, clipPixels]) t.dispose();
      expect(memory().numTensors).toBe(before);
    });
  }
});
