import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureLlama2Fixture } from '../test/llama2-fixture.js';
import { llama2Goldens } from '../test/goldens.js';
import { parseHfTokenizerJson } from './hf-tokenizer-json.js';
import { tokenizerFromFiles } from './load-tokenizer.js';

describe('tokenizer.json (Hugging Face) as the only model file', () => {
  const dir = ensureLlama2Fixture();
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');

  it('encodes the golden corpus as sentencepiece does (merge ranks as scores)', () => {
    const tok = tokenizerFromFiles({ tokenizerJson: read('tokenizer.json'), tokenizerConfig: read('tokenizer_config.json'), specialTokensMap: read('special_tokens_map.json') });
    const g = llama2Goldens().encode;
    expect(g.filter((r) => JSON.stringify(tok.bpe.encode(r.text)) !== JSON.stringify(r.sp)).map((r) => r.text)).toEqual([]);
    expect(g.filter((r) => JSON.stringify(tok.encode(r.text)) !== JSON.stringify(r.hf)).map((r) => r.text)).toEqual([]);
  });

  it('reads special tokens and byte pieces', () => {
    const { model } = parseHfTokenizerJson(read('tokenizer.json'));
    expect(model.types[0]).toBe(2);
    expect(model.types[1]).toBe(3);
    expect(model.types[3]).toBe(6);
    expect(model.normalizerSpec.addDummyPrefix).toBe(true);
  });

  it('rejects what is not a BPE tokenizer.json', () => {
    expect(() => parseHfTokenizerJson('{')).toThrow(/tokenizer.json: not JSON/);
    expect(() => parseHfTokenizerJson('{"model": {"type": "WordPiece"}}')).toThrow(/not a BPE tokenizer/);
  });
});
