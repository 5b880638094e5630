/**
 * Shared scoring of the VQA-accuracy benchmarks (VQAv2, VizWiz, TextVQA): per-question soft
 * accuracy (EVE-SPEC §9.4) averaged ×100, with answers missing from the predictions scored 0.
 */
import type { AnswerRecord, QuestionId } from '../answers.js';
import { idKey } from '../answers.js';
import type { ScoreResult } from '../benchmark.js';
import { vqaAccuracy } from '../vqa-accuracy.js';

export interface VqaItem {
  id: QuestionId;
  humanAnswers: readonly string[];
  /** Optional group for a breakdown (VQAv2 answer_type). */
  group?: string;
}

export function scoreVqaItems(benchmark: string, items: readonly VqaItem[], predictions: readonly AnswerRecord[]): ScoreResult {
  const byId = new Map(predictions.map((p) => [idKey(p.question_id), p] as const));
  const expected = new Set(items.map((i) => idKey(i.id)));
  let sum = 0;
  let answered = 0;
  const groups = new Map<string, { sum: number; n: number }>();
  for (const it of items) {
    const p = byId.get(idKey(it.id));
    const acc = p ? vqaAccuracy(p.text, it.humanAnswers) : 0;
    if (p) answered++;
    sum += acc;
    if (it.group !== undefined) {
      const g = groups.get(it.group) ?? { sum: 0, n: 0 };
      g.sum += acc;
      g.n++;
      groups.set(it.group, g);
    }
  }
  const extra = predictions.filter((p) => !expected.has(idKey(p.question_id))).length;
  const accuracy = items.length ? (sum / items.length) * 100 : 0;
  const breakdown: Record<string, Record<string, number>> = {};
  if (groups.size) breakdown.accuracyByGroup = Object.fromEntries([...groups].map(([k, g]) => [k, (g.sum / g.n) * 100]));
  return {
    benchmark,
    scored: true,
    headline: accuracy,
    metrics: { accuracy },
    breakdown,
    counts: { questions: items.length, answered, missing: items.length - answered, extra },
    notes: items.length - answered ? [`${items.length - answered} questions have no answer and score 0`] : [],
  };
}
