/**
 * Submission files for server-scored benchmarks, written exactly as the release's
 * `convert_vqav2_for_submission.py` / `convert_vizwiz_for_submission.py` do: answers pass through
 * the EvalAI normaliser; VQAv2 covers the full test list with missing ids answered `""`; VizWiz
 * requires an answer for every question.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EveError } from '@evejs/tensor';
import { type AnswerRecord, idKey } from '../answers.js';
import type { ScoreResult } from '../benchmark.js';
import { normalizeAnswer } from '../evalai-normalizer.js';
import type { LoaderQuestion } from '../loader-questions.js';

export async function writeSubmission(
  benchmark: 'vqav2' | 'vizwiz',
  testList: readonly LoaderQuestion[],
  predictions: readonly AnswerRecord[],
  file: string,
): Promise<ScoreResult> {
  const byId = new Map(predictions.map((p) => [idKey(p.question_id), p.text] as const));
  const listed = new Set(testList.map((q) => idKey(q.question_id)));
  const extra = predictions.filter((p) => !listed.has(idKey(p.question_id))).length;
  let missing = 0;
  let rows: unknown[];
  if (benchmark === 'vqav2') {
    rows = testList.map((q) => {
      const t = byId.get(idKey(q.question_id));
      if (t === undefined) missing++;
      return { question_id: q.question_id, answer: t === undefined ? '' : normalizeAnswer(t) };
    });
  } else {
    rows = testList.map((q) => {
      const t = byId.get(idKey(q.question_id));
      if (t === undefined) throw new EveError(`vizwiz: question ${JSON.stringify(q.question_id)} has no answer; the VizWiz upload needs every test question`);
      return { image: q.image, answer: normalizeAnswer(t) };
    });
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(rows));
  return {
    benchmark,
    scored: false,
    headline: null,
    metrics: {},
    breakdown: {},
    counts: { questions: testList.length, answered: testList.length - missing, missing, extra },
    submission: file,
    notes: [
      `scored by the ${benchmark === 'vqav2' ? 'EvalAI VQAv2' : 'EvalAI VizWiz'} server: upload ${file}`,
      ...(missing ? [`${missing} questions have no answer and are submitted as ""`] : []),
    ],
  };
}

/** Default submission path beside the predictions. */
export function defaultSubmissionFile(opts: { submissionFile?: string }, benchmark: string): string {
  return opts.submissionFile ?? path.resolve(`${benchmark}-submission.json`);
}
