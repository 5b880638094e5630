import { describe, expect, it } from 'vitest';
import { llama2Goldens, llama2Tokenizer } from '../test/goldens.js';
import { DEFAULT_LLAMA_TOKENIZER_CONFIG, LlamaTokenizer, parseLlamaTokenizerConfig } from './index.js';

const mismatches = <T>(rows: T[], actual: (r: T) => unknown, expected: (r: T) => unknown) =>
  rows.filter((r) => JSON.stringify(actual(r)) !== JSON.stringify(expected(r)));

describe('LlamaTokenizer.encode (transformers 4.31 slow tokenizer)', () => {
  it('matches legacy: false on every golden string', async () => {
    const tok = await llama2Tokenizer();
    const bad = mismatches(llama2Goldens().encode, (g) => tok.encode(g.text), (g) => g.hf);
    expect(bad.map((g) => g.text)).toEqual([]);
  });

  it('matches legacy: true on every golden string', async () => {
    const tok = await llama2Tokenizer();
    const bad = mismatches(llama2Goldens().encode, (g) => tok.encode(g.text, { mode: 'hf-legacy' }), (g) => g.hfLegacy);
    expect(bad.map((g) => g.text)).toEqual([]);
  });

  it('is plain SentencePiece plus BOS in sentencepiece mode', async () => {
    const tok = await llama2Tokenizer();
    const bad = mismatches(llama2Goldens().encode, (g) => tok.encode(g.text, { mode: 'sentencepiece' }), (g) => [1, ...g.sp]);
    expect(bad.map((g) => g.text)).toEqual([]);
  });

  it.each([
    // EVE-SPEC §2.4: the `▁` of the piece after a special token is dropped and looked up as is.
    ['</s>USER:', 'hf', [1, 2, 3308, 1001, 29901]],
    ['</s>USER:', 'hf-legacy', [1, 2, 3148, 1001, 29901]],
    ['</s>USER:', 'sentencepiece', [1, 1533, 29879, 29958, 11889, 29901]],
    ['<s>\n', 'hf', [1, 1, 13]],
    ['', 'hf', [1]],
    ['Hello world', 'hf', [1, 15043, 3186]],
  ] as const)('pins %j in %s mode', async (text, mode, ids) => {
    expect((await llama2Tokenizer()).encode(text, { mode })).toEqual(ids);
  });

  it('follows the config: add_bos/add_eos, legacy default', async () => {
    const tok = await llama2Tokenizer();
    expect(tok.defaultMode).toBe('hf');
    expect(tok.encode('Hi', { addBos: false, addEos: true })).toEqual([6324, 2]);
    const legacy = new LlamaTokenizer(tok.model, parseLlamaTokenizerConfig({}, undefined));
    expect(legacy.defaultMode).toBe('hf-legacy');
  });

  it('strips whitespace around a special token given as a plain string in special_tokens_map.json', async () => {
    const tok = await llama2Tokenizer();
    const plain = new LlamaTokenizer(tok.model, parseLlamaTokenizerConfig({ legacy: false }, { eos_token: '</s>' }));
    // "a </s> b" → "a" + </s> + "b" (4.31 strips both sides of a non-AddedToken special token).
    expect(plain.encode('a </s> b')).toEqual([...tok.encode('a</s>b')]);
    expect(tok.encode('a </s> b')).not.toEqual(tok.encode('a</s>b'));
    expect(DEFAULT_LLAMA_TOKENIZER_CONFIG.legacy).toBe(true);
  });
});

describe('LlamaTokenizer.decode', () => {
  it('matches sentencepiece DecodeIds on the corpus and on random id sequences', async () => {
    const tok = await llama2Tokenizer();
    const g = llama2Goldens();
    const bad1 = mismatches(g.encode, (r) => tok.decode(r.sp, { mode: 'sentencepiece' }), (r) => r.spDecoded);
    const bad2 = mismatches(g.decode, (r) => tok.decode(r.ids, { mode: 'sentencepiece' }), (r) => r.sp);
    expect(bad1.map((r) => r.text)).toEqual([]);
    expect(bad2.map((r) => r.ids)).toEqual([]);
  });

  it('round-trips text that does not start with a space', async () => {
    const tok = await llama2Tokenizer();
    const texts = llama2Goldens().encode.map((g) => g.text).filter((t) => !t.startsWith(' ') && !t.includes('\u2581'));
    const bad = texts.filter((t) => tok.decode(tok.encode(t, { mode: 'sentencepiece' }), { skipSpecialTokens: true }) !== t);
    expect(bad).toEqual([]);
  });

  it('writes special tokens as 4.31 does, or skips them', async () => {
    const tok = await llama2Tokenizer();
    expect(tok.decode([1, 15043, 3186])).toBe('<s>Hello world');
    expect(tok.decode([15043, 2])).toBe(' Hello</s>');
    expect(tok.decode([1, 15043, 3186, 2], { skipSpecialTokens: true })).toBe('Hello world');
    expect(tok.decode([29871, 13, 15043])).toBe('\n Hello');
    expect(tok.decode([29871, 15043], { mode: 'sentencepiece' })).toBe(' Hello');
  });

  it('rejects ids outside the vocabulary', async () => {
    const tok = await llama2Tokenizer();
    expect(() => tok.decode([32000])).toThrow(/token id 32000 is out of range/);
    expect(() => tok.decode([-1])).toThrow(/out of range/);
    expect(() => tok.decode([1.5])).toThrow(/out of range/);
  });
});
