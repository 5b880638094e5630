import { describe, expect, it } from 'vitest';
import { llama2Goldens, llama2Tokenizer } from '../test/goldens.js';
import { StreamingDetokenizer } from './streaming-detokenizer.js';

const hasLoneSurrogate = (s: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('StreamingDetokenizer', () => {
  it('holds a byte-fallback character until it is complete', async () => {
    const s = new StreamingDetokenizer(await llama2Tokenizer());
    expect([1, 910, 338, 29871, 243, 162, 169, 156, 29889].map((id) => s.push(id))).toEqual(['', 'This', ' is', ' ', '', '', '', '🦙', '.']);
    expect(s.flush()).toBe('');
  });

  it('emits only complete characters and adds up to DecodeIds, on the corpus and broken byte runs', async () => {
    const tok = await llama2Tokenizer();
    const g = llama2Goldens();
    const sequences = [...g.encode.map((r) => [1, ...r.sp, 2]), ...g.decode.map((r) => r.ids)];
    const bad: number[][] = [];
    for (const skipSpecialTokens of [true, false]) {
      for (const ids of sequences) {
        const s = new StreamingDetokenizer(tok, { skipSpecialTokens });
        const chunks = ids.map((id) => s.push(id));
        chunks.push(s.flush());
        const kept = skipSpecialTokens ? ids.filter((id) => !tok.isSpecialId(id)) : ids;
        const isOk = !chunks.some(hasLoneSurrogate) && chunks.join('') === tok.decode(kept, { mode: 'sentencepiece' }) && s.text === chunks.join('');
        if (!isOk) bad.push(ids);
      }
    }
    expect(bad).toEqual([]);
  });

  it('turns an unfinished character into U+FFFD at the end, one per byte as sentencepiece', async () => {
    const s = new StreamingDetokenizer(await llama2Tokenizer());
    expect(s.push(243)).toBe('');
    expect(s.push(162)).toBe('');
    expect(s.flush()).toBe('\uFFFD\uFFFD');
  });
});
