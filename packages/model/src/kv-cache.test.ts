// The preallocated KV cache: what `append` returns is exactly the keys/values written so far;
// `truncate` only moves the length; decode steps allocate nothing once the buffers exist (the
// engine's counters stay flat) and never copy the cache to attend to it; `dispose` frees it all;
// and greedy decoding is identical with and without the cache, per backend.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { argmax, memory, noGrad, setBackend, tensor, tidy, type Tensor } from '@evejs/tensor';
import { getKernel } from '@evejs/tensor/backend';
import { expectClose, randomArray, Rng } from '@evejs/tensor/testing';
import { generate, generateIds, KvCache, loadPretrained, prepareImage, type LoadedEve } from '../src/index.js';
import { backendUnavailable, TEST_BACKENDS } from '../test/backends.js';
import { readGolden, TINY_EVE_DIR } from '../test/fixtures.js';

const golden = await readGolden();
const square = golden.cases.find((c) => c.name === 'square')!;
const text = golden.cases.find((c) => c.name === 'text')!;

afterEach(() => vi.restoreAllMocks());

describe('KvCache (cpu)', () => {
  beforeAll(async () => {
    await backendUnavailable('cpu');
    await setBackend('cpu');
  });

  /** Random [1, 2, t, 4] keys as a tensor and their f32 values. */
  const keys = (rng: Rng, t: number): [Tensor, Float32Array] => {
    const x = randomArray([1, 2, t, 4], rng);
    return [tensor(x.data, x.shape), Float32Array.from(x.data)];
  };
  /** Positions [0, len) of head-major [1, 2, *, 4] values concatenated along the sequence axis. */
  const concatSeq = (parts: Float32Array[]): Float32Array => {
    const out: number[] = [];
    for (let h = 0; h < 2; h++) for (const p of parts) out.push(...p.subarray((h * p.length) / 2, ((h + 1) * p.length) / 2));
    return Float32Array.from(out);
  };

  it('append returns exactly what was written, truncate moves the length and later appends overwrite', async () => {
    const rng = new Rng(11);
    const cache = new KvCache(2, 8);
    const before = memory();
    const [k1, k1v] = keys(rng, 3);
    const [v1, v1v] = keys(rng, 3);
    for (const layer of [0, 1]) {
      const got = tidy(() => cache.append(layer, k1, v1));
      expect(got.k.shape).toEqual([1, 2, 3, 4]);
      expectClose(await got.k.data(), k1v, { rtol: 0, atol: 0 });
      expectClose(await got.v.data(), v1v, { rtol: 0, atol: 0 });
      got.k.dispose();
      got.v.dispose();
    }
    expect(cache.length).toBe(3);
    const [k2, k2v] = keys(rng, 2);
    const got = tidy(() => cache.append(0, k2, k2));
    expectClose(await got.k.data(), concatSeq([k1v, k2v]), { rtol: 0, atol: 0 });
    const last = tidy(() => cache.append(1, k2, k2));
    expect(cache.length).toBe(5);
    // Forget position 4 on: the next write lands at 1 and the prefix shrinks to 1 + 2.
    cache.truncate(1);
    expect(cache.length).toBe(1);
    const [k3, k3v] = keys(rng, 2);
    const after = tidy(() => cache.append(0, k3, k3));
    expectClose(await after.k.data(), concatSeq([k1v.filter((_, i) => i % 12 < 4), k3v]), { rtol: 0, atol: 0 });
    for (const t of [k1, v1, k2, k3, got.k, got.v, last.k, last.v, after.k, after.v]) t.dispose();
    // One K and one V buffer per layer: [1, 2, 8, 4] f32 each, nothing else retained.
    expect(memory().numBytes - before.numBytes).toBe(2 * 2 * 1 * 2 * 8 * 4 * 4);
    cache.dispose();
    expect(memory()).toEqual(before);
  });

  it('refuses to overflow, and new shapes while positions are cached', () => {
    const cache = new KvCache(1, 4);
    const k = tensor(new Float32Array(1 * 2 * 3 * 4), [1, 2, 3, 4]);
    tidy(() => cache.append(0, k, k));
    expect(() => tidy(() => cache.append(0, k, k))).toThrow('context full: 3 + 3 positions exceed the limit of 4');
    const other = tensor(new Float32Array(1 * 3 * 1 * 4), [1, 3, 1, 4]);
    expect(() => tidy(() => cache.append(0, other, other))).toThrow('kv cache: layer 0 holds [1, 2, 4, 4] on cpu; new keys [1, 3, 1, 4] on cpu do not fit');
    // Emptied, it takes the new shape.
    cache.truncate(0);
    const got = tidy(() => cache.append(0, other, other));
    expect(got.k.shape).toEqual([1, 3, 1, 4]);
    for (const t of [k, other, got.k, got.v]) t.dispose();
    cache.dispose();
  });
});

for (const backend of TEST_BACKENDS) {
  const reason = await backendUnavailable(backend);
  describe.skipIf(reason !== null)(`KV cache in generation on ${backend}${reason ? ` (skipped: ${reason})` : ''}`, () => {
    let loaded: LoadedEve;
    beforeAll(async () => {
      await setBackend(backend);
      loaded = await loadPretrained(TINY_EVE_DIR, { backend });
    });
    afterAll(() => loaded?.model.dispose());

    it('greedy output is identical with and without the cache', async () => {
      const image = prepareImage(square.pixelValues!, [4, 84, 84], loaded.processor.patchStride, backend);
      try {
        for (const [ids, images] of [
          [square.inputIds, [image]],
          [text.inputIds, []],
        ] as const) {
          const cached = await generateIds(loaded.model, ids, { images, maxNewTokens: 10, eosTokenId: [] });
          const uncached = await generateIds(loaded.model, ids, { images, maxNewTokens: 10, eosTokenId: [], useCache: false });
          expect(cached).toEqual(uncached);
        }
      } finally {
        image.pixels.dispose();
      }
    });

    it('generate gives its own cache room for the prompt, spliced images and new tokens only', async () => {
      const { config } = loaded;
      const image = prepareImage(square.pixelValues!, [4, 84, 84], loaded.processor.patchStride, backend);
      const headDim = config.hiddenSize / config.numAttentionHeads;
      const perPosition = 2 * config.numHiddenLayers * config.numKeyValueHeads * headDim * 4;
      try {
        // 9 text ids + 13 image tokens (as generate.test.ts) and 5 new tokens; the limit is 256.
        for (const [ids, images, positions] of [
          [text.inputIds, [], text.inputIds.length + 5],
          [square.inputIds, [image], 22 + 5],
        ] as const) {
          const before = memory().numBytes;
          let held = -1;
          for await (const step of generate(loaded.model, ids, { images, maxNewTokens: 5, eosTokenId: [] })) {
            if (step.position === positions - 5) held = memory().numBytes - before; // only the cache is alive here
          }
          expect(held).toBe(positions * perPosition);
          expect(memory().numBytes).toBe(before);
        }
      } finally {
        image.pixels.dispose();
      }
    });

    it('decode steps allocate no memory and copy no cache; dispose frees everything', async () => {
      const { model, config } = loaded;
      const maxLength = 64;
      const before = memory();
      const cache = new KvCache(config.numHiddenLayers, maxLength);
      const greedy = async (logits: Tensor): Promise<number> => {
        const id = tidy(() => argmax(logits, -1));
        logits.dispose();
        const [token] = await id.data();
        id.dispose();
        return token!;
      };
      let token = await greedy(noGrad(() => tidy(() => model.forward(text.inputIds, [], { cache, lastOnly: true }).logits)));
      // The buffers: K and V per layer, [1, kvHeads, maxLength, headDim] f32.
      const headDim = config.hiddenSize / config.numAttentionHeads;
      const afterPrefill = memory();
      expect(afterPrefill.numStorages - before.numStorages).toBe(2 * config.numHiddenLayers);
      expect(afterPrefill.numBytes - before.numBytes).toBe(2 * config.numHiddenLayers * config.numKeyValueHeads * maxLength * headDim * 4);
      const copies = vi.spyOn(getKernel(backend, 'contiguous')!, 'run');
      for (let step = 0; step < 6; step++) {
        token = await greedy(noGrad(() => tidy(() => model.forwardEmbeds(model.embedInputs([token]).embeds, { cache, lastOnly: true }))));
        expect(memory(), `after decode step ${step}`).toEqual(afterPrefill);
      }
      expect(cache.length).toBe(text.inputIds.length + 6);
      // Attention multiplies against the cache's prefix views (grouped heads folded into rows): no copies.
      expect(copies.mock.calls.map(([args]) => args.inputs[0]!.shape)).toEqual([]);
      cache.dispose();
      expect(memory()).toEqual(before);
    });
  });
}
