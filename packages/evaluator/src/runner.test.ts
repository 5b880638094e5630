// The runner on a real shapes dataset with the rule-based scene answerer: answers file format,
// resume after a truncated line, sharding and merge, and the score of the result.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeShapesDataset } from '@evejs/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Answerer } from './answerer.js';
import { readAnswers } from './answers.js';
import { getBenchmark } from './benchmark-registry.js';
import type { EvalQuestion } from './benchmark.js';
import { chunkFileName, getChunk, mergeAnswerFiles, runEvaluation } from './runner.js';
import { ShapesSceneAnswerer } from './shapes-scene-answerer.js';

let data: string;
let questions: EvalQuestion[];
let oracle: ShapesSceneAnswerer;

beforeAll(async () => {
  data = mkdtempSync(path.join(tmpdir(), 'evejs-shapes-'));
  await writeShapesDataset(data, { seed: 3, count: 0, evalCount: 12, maxSide: 96 });
  questions = await getBenchmark('shapes').loadQuestions({ dataDir: data });
  oracle = await ShapesSceneAnswerer.load(data);
});

/** Counts calls, to prove resumed questions are not asked again. */
function counting(inner: Answerer): Answerer & { calls: number } {
  const c = { modelId: inner.modelId, calls: 0, answer: (req: Parameters<Answerer['answer']>[0]) => (c.calls++, inner.answer(req)) };
  return c;
}

describe('runEvaluation', () => {
  it('writes the release answers.jsonl format, and the scene oracle scores 100%', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'evejs-run-')), 'answers.jsonl');
    const s = await runEvaluation({ questions, answerer: oracle, answersFile: out, concurrency: 3 });
    expect(s).toMatchObject({ total: questions.length, resumed: 0, written: questions.length });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(Object.keys(lines[0])).toEqual(['question_id', 'prompt', 'text', 'answer_id', 'model_id', 'metadata']);
    expect(lines.map((l) => l.question_id)).toEqual(questions.map((q) => q.questionId));
    expect(lines[0].prompt).toMatch(/\nAnswer the question using a single word or phrase\.$/);
    const r = await getBenchmark('shapes').score({ annotations: data, predictions: await readAnswers(out) });
    expect(r.headline).toBe(100);
    expect(r.breakdown.existence!.f1).toBe(1);
  });

  it('resumes: skips answered questions and cuts a truncated last line', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'evejs-run-')), 'answers.jsonl');
    await runEvaluation({ questions: questions.slice(0, 5), answerer: oracle, answersFile: out });
    writeFileSync(out, `${readFileSync(out, 'utf8')}{"question_id": "eval-0000`, { flag: 'w' });
    const a = counting(oracle);
    const s = await runEvaluation({ questions, answerer: a, answersFile: out });
    expect(s.resumed).toBe(5);
    expect(s.truncatedTail).toMatch(/^\{"question_id"/);
    expect(a.calls).toBe(questions.length - 5);
    const answers = await readAnswers(out);
    expect(answers.map((x) => x.question_id)).toEqual(questions.map((q) => q.questionId));
  });

  it('blind mode sends no image', async () => {
    const blind = await getBenchmark('shapes').loadQuestions({ dataDir: data, isBlind: true });
    expect(blind.every((q) => q.imagePath === null)).toBe(true);
  });

  it('shards into contiguous ceil(len/n) chunks and merges them in order', async () => {
    expect(getChunk([1, 2, 3, 4, 5, 6, 7], 3, 0)).toEqual([1, 2, 3]);
    expect(getChunk([1, 2, 3, 4, 5, 6, 7], 3, 2)).toEqual([7]);
    expect(getChunk([1, 2], 4, 3)).toEqual([]);
    expect(() => getChunk([1], 2, 2)).toThrow(/chunk-idx/);
    const dir = mkdtempSync(path.join(tmpdir(), 'evejs-shard-'));
    for (let i = 0; i < 3; i++) {
      await runEvaluation({ questions, answerer: oracle, answersFile: path.join(dir, chunkFileName(3, i)), chunks: 3, chunkIdx: i });
    }
    const merged = path.join(dir, 'merge.jsonl');
    expect(await mergeAnswerFiles(dir, 3, merged)).toEqual({ answers: questions.length });
    expect((await readAnswers(merged)).map((x) => x.question_id)).toEqual(questions.map((q) => q.questionId));
    await expect(mergeAnswerFiles(dir, 4, merged)).rejects.toThrow(/4_0\.jsonl is missing/);
  });
});
