// MMBench's prompt, option matching and CircularEval, and MM-Vet's grader prompt, score parsing
// and retry rule, on hand-computed cases (no runnable official local scorer exists for either).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnswerRecord } from './answers.js';
import { getBenchmark } from './benchmark-registry.js';
import { mmbenchMatchOption, mmbenchPrompt } from './benchmarks/mmbench.js';
import { mmvetGrade, mmvetGraderMessage, mmvetParseScore } from './mmvet-judge.js';

const ans = (id: number, text: string): AnswerRecord => ({ question_id: id, prompt: '', text, answer_id: '', model_id: '', metadata: {} });

describe('MMBench', () => {
  it('builds the release prompt: hint first, options until the first missing one', () => {
    expect(mmbenchPrompt({ question: 'Q?', hint: 'H', A: 'a', B: 'b', C: 'nan', D: 'd' })).toBe('H\nQ?\nA. a\nB. b');
    expect(mmbenchPrompt({ question: 'Q?', hint: '', A: 'a', B: 'b', C: 'c', D: '' })).toBe('Q?\nA. a\nB. b\nC. c');
  });

  it('matches answers to options by letter token, else by unique option text', () => {
    expect(mmbenchMatchOption('B', ['x', 'y'])).toBe('B');
    expect(mmbenchMatchOption('(C) blue', ['red', 'green', 'blue'])).toBe('C');
    expect(mmbenchMatchOption('It is green.', ['red', 'green', 'blue'])).toBe('B');
    expect(mmbenchMatchOption('A or B', ['x', 'y'])).toBeNull();
    expect(mmbenchMatchOption('nothing', ['x', 'y'])).toBeNull();
  });

  it('CircularEval: a question counts only if every circular copy is right', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evejs-mmb-'));
    const tsv = path.join(dir, 'dev.tsv');
    const rows = [
      ['index', 'question', 'hint', 'A', 'B', 'C', 'D', 'answer', 'category', 'image'],
      ['1', 'q1', 'nan', 'x', 'y', 'z', '', 'A', 'c1', ''],
      ['1000001', 'q1', 'nan', 'y', 'z', 'x', '', 'C', 'c1', ''],
      ['2000001', 'q1', 'nan', 'z', 'x', 'y', '', 'B', 'c1', ''],
      ['2', 'q2', 'nan', 'p', 'q', '', '', 'B', 'c2', ''],
      ['1000002', 'q2', 'nan', 'q', 'p', '', '', 'A', 'c2', ''],
    ];
    // Copies share index % 1e6: q1 = {1, 1000001, 2000001}, q2 = {2, 1000002}.
    writeFileSync(tsv, rows.map((r) => r.join('\t')).join('\n') + '\n');
    const predictions = [ans(1, 'A'), ans(1000001, 'C. x'), ans(2000001, 'B'), ans(2, 'B'), ans(1000002, 'B')];
    const r = await getBenchmark('mmbench').score({ annotations: tsv, predictions });
    // q1: all three copies right; q2: right once, wrong on its shifted copy → 1 of 2.
    expect(r.counts.circularGroups).toBe(2);
    expect(r.metrics.singlePassAccuracy).toBe(100);
    expect(r.headline).toBe(50);
  });
});

describe('MM-Vet judge', () => {
  it('formats the grader line as the official evaluator', () => {
    const m = mmvetGraderMessage('What is x?', '-1<AND>-5', 'x = -1');
    expect(m.endsWith('\nWhat is x? | -1 <AND> -5 | x = -1 | ')).toBe(true);
    expect(mmvetGraderMessage('q', 'a', 'p', true).endsWith(' | \nPredict the correctness of the answer (digit): ')).toBe(true);
  });

  it('parses the first token as a score in [0, 1]', () => {
    expect(mmvetParseScore('0.7')).toBe(0.7);
    expect(mmvetParseScore('1.0 because')).toBe(1);
    expect(mmvetParseScore('1.5')).toBeNull();
    expect(mmvetParseScore('Correctness: 0.5')).toBeNull();
  });

  it('retries with the digit hint and rising temperature, and gives 0 after five replies', async () => {
    const seen: { temperature: number; content: string }[] = [];
    const replies = ['The', 'It', '0.4'];
    const judge = (queue: string[]) => ({
      url: 'http://judge.invalid/v1',
      model: 'm',
      fetchImpl: (async (_u: string, init: { body: string }) => {
        const body = JSON.parse(init.body) as { temperature: number; messages: { content: string }[] };
        seen.push({ temperature: body.temperature, content: body.messages[0]!.content });
        return new Response(JSON.stringify({ choices: [{ message: { content: queue.shift() ?? 'no' } }] }));
      }) as unknown as typeof fetch,
    });
    expect(await mmvetGrade(judge(replies), 'q', 'a', 'p')).toMatchObject({ score: 0.4, tries: 3 });
    expect(seen.map((s) => s.temperature)).toEqual([0, 0, 0.5]);
    expect(seen[1]!.content).toMatch(/digit\): $/);
    expect(await mmvetGrade(judge([]), 'q', 'a', 'p')).toMatchObject({ score: 0, tries: 6 });
  });

  it('without a judge MM-Vet is reported unscored, with the results file written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evejs-mmvet-'));
    writeFileSync(path.join(dir, 'mm-vet.json'), JSON.stringify({ v1_0: { question: 'q', answer: 'a', capability: ['rec'] } }));
    const r = await getBenchmark('mmvet').score({ annotations: dir, predictions: [ans(0, 'a')], submissionFile: path.join(dir, 'r.json') });
    expect(r).toMatchObject({ scored: false, headline: null, submission: path.join(dir, 'r.json') });
    expect(r.notes[0]).toMatch(/^unscored/);
  });
});
