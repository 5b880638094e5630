/**
 * The shapes benchmark: held-out questions of `@evejs/datasets`' procedural world
 * (`questions.jsonl`: question_id, image, text, type, answer). Prompt = question + the short-answer
 * suffix. Accuracy by question type compares the EvalAI-normalised answer with the normalised
 * single ground truth; the yes/no existence questions also get POPE's metrics (with POPE's
 * yes/no parsing).
 */
import path from 'node:path';
import { FormatError } from '@evejs/tensor';
import { idKey } from '../answers.js';
import type { Benchmark, EvalQuestion } from '../benchmark.js';
import { SHORT_ANSWER_SUFFIX, findFile, percent } from '../benchmark.js';
import { normalizeAnswer } from '../evalai-normalizer.js';
import { readJsonLines } from '../jsonl.js';
import { yesNoMetrics } from '../yes-no-metrics.js';
import { popeAnswerIsYes } from './pope.js';

export interface ShapesQuestion {
  question_id: string;
  image: string;
  text: string;
  type: string;
  answer: string;
}

export async function readShapesQuestions(file: string): Promise<ShapesQuestion[]> {
  const { records } = await readJsonLines<ShapesQuestion>(file);
  records.forEach((q, i) => {
    for (const k of ['question_id', 'image', 'text', 'type', 'answer'] as const) {
      if (typeof q[k] !== 'string') throw new FormatError(file, `question ${i + 1} has no string "${k}"`);
    }
  });
  return records;
}

export const shapes: Benchmark = {
  name: 'shapes',
  column: 'Shapes',
  description: 'shapes world: accuracy by question type (EvalAI-normalised exact match); POPE metrics on existence',
  async loadQuestions(opts) {
    const file = opts.questionFile ?? findFile(opts.dataDir, ['questions.jsonl'], 'shapes questions.jsonl');
    const imageDir = opts.imageDir ?? path.join(opts.dataDir, 'images');
    return (await readShapesQuestions(file)).map(
      (q): EvalQuestion => ({
        questionId: q.question_id,
        imagePath: opts.isBlind ? null : path.resolve(imageDir, q.image),
        prompt: q.text + SHORT_ANSWER_SUFFIX,
        recordedPrompt: q.text + SHORT_ANSWER_SUFFIX,
        maxNewTokens: 128,
      }),
    );
  },
  async score(opts) {
    const file = opts.annotations.endsWith('.jsonl') ? opts.annotations : findFile(opts.annotations, ['questions.jsonl'], 'shapes questions.jsonl');
    const questions = await readShapesQuestions(file);
    const preds = new Map(opts.predictions.map((p) => [idKey(p.question_id), p.text] as const));
    const perType = new Map<string, [number, number]>();
    let correct = 0;
    let missing = 0;
    const existPred: boolean[] = [];
    const existLabel: boolean[] = [];
    for (const q of questions) {
      const text = preds.get(idKey(q.question_id));
      if (text === undefined) missing++;
      const ok = text !== undefined && normalizeAnswer(text) === normalizeAnswer(q.answer);
      correct += ok ? 1 : 0;
      const t = perType.get(q.type) ?? [0, 0];
      t[0] += ok ? 1 : 0;
      t[1]++;
      perType.set(q.type, t);
      if (q.type === 'existence') {
        // An unanswered existence question counts as a wrong answer.
        const label = q.answer === 'yes';
        existLabel.push(label);
        existPred.push(text === undefined ? !label : popeAnswerIsYes(text));
      }
    }
    const ids = new Set(questions.map((q) => idKey(q.question_id)));
    const extra = opts.predictions.filter((p) => !ids.has(idKey(p.question_id))).length;
    const accuracy = percent(correct, questions.length);
    const byType = Object.fromEntries([...perType].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, [c, n]]) => [k, percent(c, n)]));
    const existence = yesNoMetrics(existPred, existLabel);
    return {
      benchmark: 'shapes',
      scored: true,
      headline: accuracy,
      metrics: { accuracy, ...Object.fromEntries(Object.entries(byType).map(([k, v]) => [`${k}.accuracy`, v])), 'existence.f1': existence.f1 * 100 },
      breakdown: { accuracyByType: byType, existence: { ...existence } },
      counts: { questions: questions.length, answered: questions.length - missing, missing, extra },
      notes: missing ? [`${missing} questions have no answer and count as wrong`] : [],
    };
  },
};
