import { describe, expect, it } from 'vitest';
import { eveGoldens } from '../test/eve-goldens.js';
import { llama2Tokenizer } from '../test/goldens.js';
import { IGNORE_INDEX, preprocessMultimodal, preprocessPlain, preprocessV1 } from './preprocess.js';

describe('preprocessV1 (eve/train/train.py preprocess_v1)', () => {
  it.each(eveGoldens().sft.map((s, i) => [i, s] as const))('sample %i: prompt, ids and labels as the reference', async (_i, s) => {
    const tok = await llama2Tokenizer();
    const source = s.hasImage ? preprocessMultimodal(s.conversations) : s.conversations;
    const out = preprocessV1(tok, source, { hasImage: s.hasImage });
    expect(out.prompt).toBe(s.prompt);
    expect(out.inputIds).toEqual(s.ids);
    expect(out.labels).toEqual(s.labels);
    expect(out.isMismatch).toBe(s.mismatch);
  });

  it('supervises each answer and its </s>, nothing else', async () => {
    const tok = await llama2Tokenizer();
    const out = preprocessV1(tok, [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello there' }], { hasImage: false });
    const supervised = out.inputIds.filter((_, k) => out.labels[k] !== IGNORE_INDEX);
    expect(supervised).toEqual([...tok.encode('Hello there', { addBos: false }), tok.eosId]);
  });

  it('rejects roles that do not alternate', async () => {
    const tok = await llama2Tokenizer();
    expect(() => preprocessV1(tok, [{ from: 'human', value: 'a' }, { from: 'human', value: 'b' }], { hasImage: false })).toThrow(/alternate/);
  });
});

describe('preprocessPlain (preprocess_plain)', () => {
  it.each(eveGoldens().plain.map((s, i) => [i, s] as const))('sample %i as the reference', async (_i, s) => {
    const out = preprocessPlain(await llama2Tokenizer(), preprocessMultimodal(s.conversations));
    expect(out.prompt).toBe(s.prompt);
    expect(out.inputIds).toEqual(s.ids);
    expect(out.labels).toEqual(s.labels);
    expect(out.labels.slice(0, 2)).toEqual([IGNORE_INDEX, IGNORE_INDEX]);
  });
});
