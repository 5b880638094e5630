import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { llama2Goldens, llama2ModelBytes, llama2Tokenizer } from '../test/goldens.js';

describe('Llama-2 tokenizer.model rebuilt from llama-tokenizer-js', () => {
  it('is byte-identical to Meta’s file (499,723 bytes, sha256 9e556afd…)', () => {
    const bytes = llama2ModelBytes();
    expect(bytes.length).toBe(499_723);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      '9e556afd44213b6bd1be2b850ebbbd98f5481437a8021afaf58ee7fb1818d347',
    );
  });

  it('has scores whose order reproduces HF tokenizer.json merges (checked by the generator)', () => {
    expect(llama2Goldens().scoresReproduceHfMergeOrder).toBe(true);
  });
});

describe('SentencePieceBpe agrees with python3-sentencepiece', () => {
  it('encodes every golden string identically', async () => {
    const tok = await llama2Tokenizer();
    const { encode } = llama2Goldens();
    const bad = encode.filter((g) => JSON.stringify(tok.bpe.encode(g.text)) !== JSON.stringify(g.sp));
    expect(bad.map((g) => g.text)).toEqual([]);
    expect(encode.length).toBeGreaterThan(1000);
  });

  it.each([
    ['Hello world', [15043, 3186]],
    ['This is 🦙.cpp', [910, 338, 29871, 243, 162, 169, 156, 29889, 8223]],
    ['', []],
    [' ', [259]],
    ['\n', [29871, 13]],
    ['1234', [29871, 29896, 29906, 29941, 29946]],
  ])('pins %j', async (text, ids) => {
    expect((await llama2Tokenizer()).bpe.encode(text)).toEqual(ids);
  });
});
