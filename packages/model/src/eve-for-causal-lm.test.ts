// EVE's forward against the float64 PyTorch reference (tools/model-fixtures/generate.py) on the
// tiny checkpoint: logits over the spliced sequence and the projector output, for a square, a
// wide and a tall image and a text-only prompt, with f32, f16 and bf16 weight storage, per backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memory, noGrad, setBackend, tidy } from '@evejs/tensor';
import { compareStats } from '@evejs/tensor/testing';
import { loadPretrained, prepareImage, type LoadedEve } from '../src/index.js';
import { backendUnavailable, TEST_BACKENDS } from '../test/backends.js';
import { readGolden, TINY_EVE_DIR } from '../test/fixtures.js';

const golden = await readGolden();

// f32: the only differences are f32 rounding in reductions of length ≤ 160 → far below 1e-4.
// bf16: weights rounded to 8 mantissa bits (relative error 2⁻⁹ per weight) through 2 layers.
// f16: 11-bit mantissas, between the two.
// q8_0 / q4_0: every matrix block-quantised (per-weight error up to half a step: d/2 with d =
// max|block|/127, or /8 for q4) through 2 layers of a random-weight model, where nothing averages
// out: measured 1.8–2.2e-2 (q8_0) and 0.26–0.37 (q4_0) on both backends. The kernels themselves are
// checked exactly against dequantised float64 references in the op conformance suite.
const TOLERANCE = { f32: 1e-4, f16: 5e-3, bf16: 2e-2, q8_0: 4e-2, q4_0: 0.5 } as const;

for (const backend of TEST_BACKENDS) {
  const reason = await backendUnavailable(backend);
  describe.skipIf(reason !== null)(`EVE forward on ${backend}${reason ? ` (skipped: ${reason})` : ''}`, () => {
    for (const dtype of ['f32', 'f16', 'bf16', 'q8_0', 'q4_0'] as const) {
      describe(`${dtype} weights`, () => {
        let loaded: LoadedEve;
        beforeAll(async () => {
          await setBackend(backend);
          loaded = await loadPretrained(TINY_EVE_DIR, { backend, dtype });
        });
        afterAll(() => loaded?.model.dispose());

        for (const c of golden.cases) {
          it(`${c.name}: logits${c.pixelValues ? ' and image embeds' : ''} within ${TOLERANCE[dtype]} relative L2`, async () => {
            const before = memory().numTensors;
            const images = c.pixelValues ? [prepareImage(c.pixelValues, [4, 84, 84], loaded.processor.patchStride, backend)] : [];
            const out = noGrad(() => tidy(() => loaded.model.forward(c.inputIds, images)));
            const logits = (await out.logits.data()) as Float32Array;
            expect(out.logits.shape).toEqual([1, c.logits.length / loaded.config.vocabSize, loaded.config.vocabSize]);
            const stats = compareStats(logits, c.logits);
            expect(stats.relL2, `logits ${JSON.stringify(stats)}`).toBeLessThan(TOLERANCE[dtype]);
            if (c.imageEmbeds) {
              expect(out.imageEmbeds).toHaveLength(1);
              const emb = compareStats((await out.imageEmbeds[0]!.data()) as Float32Array, c.imageEmbeds);
              expect(emb.relL2, `image embeds ${JSON.stringify(emb)}`).toBeLessThan(TOLERANCE[dtype]);
            }
            out.logits.dispose();
            for (const t of out.imageEmbeds) t.dispose();
            for (const im of images) im.pixels.dispose();
            expect(memory().numTensors).toBe(before);
          });
        }
      });
    }
  });
}
