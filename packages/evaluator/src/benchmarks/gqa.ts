/**
 * GQA test-dev balanced (EVE-SPEC §9.2). The release converts each answer with
 * `text.rstrip('.').lower()` (convert_gqa_for_eval.py) and runs the official GQA `eval.py`:
 * exact-match accuracy over questions with `isBalanced`, also split into binary (non-`query`
 * structural type) and open questions and per structural / semantic type. Validity, plausibility
 * and distribution need choices / scene graphs that test-dev lacks, so they are not reported.
 */
import { FormatError } from '@evejs/tensor';

import type { Benchmark } from '../benchmark.js';
import { SHORT_ANSWER_SUFFIX, percent } from '../benchmark.js';
import { readJson } from '../jsonl.js';
import { loadLoaderBenchmark } from '../loader-questions.js';

interface GqaQuestion {
  answer: string;
  isBalanced: boolean;
  types: { structural: string; semantic: string; detailed?: string };
}

/** The release's GQA answer conversion: trailing dots removed, lower-cased. */
export function gqaPrediction(text: string): string {
  return text.replace(/\.+$/, '').toLowerCase();
}

function tally(m: Map<string, [number, number]>, k: string, ok: boolean): void {
  const t = m.get(k) ?? [0, 0];
  t[0] += ok ? 1 : 0;
  t[1]++;
  m.set(k, t);
}

const asPercent = (m: Map<string, [number, number]>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, [c, n]]) => [k, percent(c, n)]));

export const gqa: Benchmark = {
  name: 'gqa',
  column: 'GQA',
  description: 'GQA test-dev balanced: exact-match accuracy (official eval.py)',
  loadQuestions: (opts) =>
    loadLoaderBenchmark(opts, {
      questionFiles: ['eve_gqa_testdev_balanced.jsonl', 'llava_gqa_testdev_balanced.jsonl'],
      imageDirs: ['data/images', 'images'],
      suffix: SHORT_ANSWER_SUFFIX,
      maxNewTokens: 128,
      what: 'GQA',
    }),
  async score(opts) {
    const questions = await readJson<Record<string, GqaQuestion>>(opts.annotations);
    if (typeof questions !== 'object' || questions === null || Array.isArray(questions)) {
      throw new FormatError(opts.annotations, 'expected the GQA questions file ({questionId: {...}})');
    }
    // GQA question ids are strings in the questions file; the loader's ids may be either.
    const preds = new Map(opts.predictions.map((p) => [String(p.question_id), p.text] as const));
    const all = [0, 0];
    const binary = [0, 0];
    const open = [0, 0];
    const structural = new Map<string, [number, number]>();
    const semantic = new Map<string, [number, number]>();
    let missing = 0;
    const balancedIds = new Set<string>();
    for (const [qid, q] of Object.entries(questions)) {
      if (!q.isBalanced) continue;
      balancedIds.add(qid);
      const text = preds.get(qid);
      if (text === undefined) missing++;
      const ok = text !== undefined && gqaPrediction(text) === q.answer;
      all[0]! += ok ? 1 : 0;
      all[1]!++;
      const bucket = q.types.structural === 'query' ? open : binary;
      bucket[0]! += ok ? 1 : 0;
      bucket[1]!++;
      tally(structural, q.types.structural, ok);
      tally(semantic, q.types.semantic, ok);
    }
    const extra = opts.predictions.filter((p) => !balancedIds.has(String(p.question_id))).length;
    const accuracy = percent(all[0]!, all[1]!);
    return {
      benchmark: 'gqa',
      scored: true,
      headline: accuracy,
      metrics: { accuracy, binary: percent(binary[0]!, binary[1]!), open: percent(open[0]!, open[1]!) },
      breakdown: { accuracyPerStructuralType: asPercent(structural), accuracyPerSemanticType: asPercent(semantic) },
      counts: { questions: all[1]!, answered: all[1]! - missing, missing, extra },
      notes: missing ? [`${missing} balanced questions have no answer: scored as wrong here, while the official eval.py refuses to score`] : [],
    };
  },
};
