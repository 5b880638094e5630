// The normaliser and VQA accuracy against the release's m4c_evaluator.py, run on the same inputs
// by tools/eval-fixtures/run_official.py (expected.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeAnswer, pythonSplit, pythonStrip } from './evalai-normalizer.js';
import { vqaAccuracy } from './vqa-accuracy.js';

const fixtures = new URL('../test/fixtures/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8')) as {
  normalizer: [string, string][];
  vqaAccuracy: number[];
};
const items = JSON.parse(readFileSync(new URL('vqa/items.json', fixtures), 'utf8')) as { pred: string; answers: string[] }[];

describe('normalizeAnswer (EvalAI, EVE-SPEC §9.3)', () => {
  it.each(expected.normalizer)('%j → %j as m4c_evaluator.py', (input, output) => {
    expect(normalizeAnswer(input)).toBe(output);
  });

  it('pins the quirks: 32-period cap, punctuation judged on the input, capitalised contraction keys', () => {
    expect(normalizeAnswer(`${'.'.repeat(40)}a`)).toBe(`${'.'.repeat(8)}a`);
    expect(normalizeAnswer('a ;b')).toBe('b');
    expect(normalizeAnswer('A;B')).toBe('b');
    expect(normalizeAnswer('Im')).toBe('im');
    expect(normalizeAnswer('dont')).toBe("don't");
  });

  it('uses Python whitespace, not JavaScript \\s', () => {
    expect(pythonSplit('a\u001cb\u0085c\ufeffd')).toEqual(['a', 'b', 'c\ufeffd']);
    expect(pythonStrip('\ufeff x \u0085')).toBe('\ufeff x');
  });
});

describe('vqaAccuracy (EVE-SPEC §9.4)', () => {
  it.each(items.map((it, i) => [i, it, expected.vqaAccuracy[i]!] as const))('item %i matches TextVQAAccuracyEvaluator', (_i, it, acc) => {
    expect(vqaAccuracy(it.pred, it.answers)).toBe(acc);
  });

  it('requires exactly ten human answers', () => {
    expect(() => vqaAccuracy('a', ['a', 'a'])).toThrow(/exactly 10/);
  });
});
