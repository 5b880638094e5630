// Generation on the tiny checkpoint: greedy tokens equal the PyTorch reference's (cached and
// uncached agreement is in kv-cache.test.ts, on every backend), nothing leaks, and the stop rules,
// sampling options and cancellation behave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memory, setBackend } from '@evejs/tensor';
import { generate, generateIds, GenerationSession, loadPretrained, prepareImage, type EveImage, type LoadedEve } from '../src/index.js';
import { readGolden, TINY_EVE_DIR } from '../test/fixtures.js';
import { backendUnavailable } from '../test/backends.js';

const golden = await readGolden();
const square = golden.cases.find((c) => c.name === 'square')!;
const text = golden.cases.find((c) => c.name === 'text')!;

describe('generate (cpu)', () => {
  let loaded: LoadedEve;
  let image: EveImage;
  beforeAll(async () => {
    await backendUnavailable('cpu');
    await setBackend('cpu');
    loaded = await loadPretrained(TINY_EVE_DIR, { backend: 'cpu' });
    image = prepareImage(square.pixelValues!, [4, 84, 84], 14);
  });
  afterAll(() => {
    loaded?.model.dispose();
    image?.pixels.dispose();
  });

  it('greedy decoding reproduces the reference tokens', async () => {
    const ids = await generateIds(loaded.model, square.inputIds, { images: [image], maxNewTokens: 12, eosTokenId: [] });
    expect(ids).toEqual(golden.greedyTokens);
  });

  it('leaves no tensors behind, also when the consumer stops early', async () => {
    const before = memory();
    await generateIds(loaded.model, square.inputIds, { images: [image], maxNewTokens: 5, eosTokenId: [] });
    for await (const step of generate(loaded.model, square.inputIds, { images: [image], maxNewTokens: 50 })) {
      if (step.position > 0) break;
    }
    const after = memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('reports positions after the spliced prompt and a finish reason', async () => {
    const steps = [];
    for await (const s of generate(loaded.model, square.inputIds, { images: [image], maxNewTokens: 3, eosTokenId: [] })) steps.push(s);
    // 9 text ids + 13 image tokens = 22 prompt positions
    expect(steps.map((s) => s.position)).toEqual([22, 23, 24]);
    expect(steps.map((s) => s.finishReason)).toEqual([undefined, undefined, 'length']);
  });

  it('stops on EOS (the EOS token is yielded) and on stop strings (cut from the text)', async () => {
    const first = golden.greedyTokens[0]!;
    const eos = await generateIds(loaded.model, square.inputIds, { images: [image], maxNewTokens: 12, eosTokenId: golden.greedyTokens[2]! });
    expect(eos).toEqual(golden.greedyTokens.slice(0, 3));
    const decode = (ids: readonly number[]) => ids.map((i) => `<${i}>`).join('');
    const steps = [];
    for await (const s of generate(loaded.model, square.inputIds, { images: [image], maxNewTokens: 12, eosTokenId: [], decode, stopStrings: [`<${golden.greedyTokens[1]}>`] })) {
      steps.push(s);
    }
    expect(steps.map((s) => s.token)).toEqual(golden.greedyTokens.slice(0, 2));
    expect(steps.map((s) => s.text).join('')).toBe(`<${first}>`);
    expect(steps.at(-1)!.finishReason).toBe('stop');
  });

  it('sampling is seeded, and top-k 1 is greedy', async () => {
    const opts = { images: [image], maxNewTokens: 8, eosTokenId: [], temperature: 1.5, topP: 0.95, topK: 50 } as const;
    const a = await generateIds(loaded.model, square.inputIds, { ...opts, seed: 7 });
    const b = await generateIds(loaded.model, square.inputIds, { ...opts, seed: 7 });
    const c = await generateIds(loaded.model, square.inputIds, { ...opts, seed: 8 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const k1 = await generateIds(loaded.model, square.inputIds, { ...opts, topK: 1, maxNewTokens: 12 });
    expect(k1).toEqual(golden.greedyTokens);
  });

  it('repetition penalty steers away from tokens already seen', async () => {
    const plain = await generateIds(loaded.model, square.inputIds, { images: [image], maxNewTokens: 12, eosTokenId: [] });
    const penalised = await generateIds(loaded.model, square.inputIds, { images: [image], maxNewTokens: 12, eosTokenId: [], repetitionPenalty: 5 });
    expect(penalised).not.toEqual(plain);
    // the prompt's tokens are penalised too: a strong penalty avoids them
    for (const id of square.inputIds) expect(penalised).not.toContain(id);
  });

  it('cancels through an AbortSignal without leaking', async () => {
    const before = memory().numTensors;
    const ctrl = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const s of generate(loaded.model, square.inputIds, { images: [image], maxNewTokens: 50, eosTokenId: [], signal: ctrl.signal })) {
          seen.push(s.token);
          if (seen.length === 2) ctrl.abort(new Error('user cancelled'));
        }
      })(),
    ).rejects.toThrow('user cancelled');
    expect(seen).toHaveLength(2);
    expect(memory().numTensors).toBe(before);
  });

  it('a session reuses the cached prefix across turns with the same tokens as a fresh prefill', async () => {
    const session = new GenerationSession(loaded.model);
    try {
      const turn1 = await generateIds(loaded.model, square.inputIds, { images: [image], maxNewTokens: 6, eosTokenId: [], session });
      expect(turn1).toEqual(golden.greedyTokens.slice(0, 6));
      // 9 prompt ids (22 positions) + 5 fed-back tokens are cached; the 6th was never fed
      expect(session.cache.length).toBe(22 + 5);
      const prompt2 = [...square.inputIds, ...turn1, 2, 44, 45, 13];
      const cached = await generateIds(loaded.model, prompt2, { images: [image], maxNewTokens: 6, eosTokenId: [], session });
      const fresh = await generateIds(loaded.model, prompt2, { images: [image], maxNewTokens: 6, eosTokenId: [] });
      expect(cached).toEqual(fresh);
      // a prompt that diverges early truncates the cache to the shared prefix
      const before = memory().numTensors;
      const diverged = await generateIds(loaded.model, [1, 5, 99, 13], { maxNewTokens: 3, eosTokenId: [], session });
      expect(diverged).toEqual(await generateIds(loaded.model, [1, 5, 99, 13], { maxNewTokens: 3, eosTokenId: [] }));
      expect(session.ids.slice(0, 2)).toEqual([1, 5]);
      expect(memory().numTensors).toBe(before);
    } finally {
      session.dispose();
    }
  });

  it('refuses to run past the context limit', async () => {
    await expect(generateIds(loaded.model, text.inputIds, { maxNewTokens: 5, maxLength: 8 })).rejects.toThrow(/context full/);
  });
});
