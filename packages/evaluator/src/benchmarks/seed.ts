/**
 * SEED-Bench, image part (EVE-SPEC §9.2). Runs `eve-seed-bench-image.jsonl` (options and the
 * option-letter suffix already in its text); scored like the release's
 * `convert_seed_for_submission.py`: exact string equality of the answer text with the letter, over
 * `SEED-Bench.json` questions with `data_type == "image"`, per question type and overall.
 */
import { FormatError } from '@evejs/tensor';
import type { Benchmark } from '../benchmark.js';
import { OPTION_LETTER_SUFFIX, percent } from '../benchmark.js';
import { readJson } from '../jsonl.js';
import { loadLoaderBenchmark } from '../loader-questions.js';

interface SeedAnnotations {
  question_type: Record<string, number>;
  questions: { question_id: string | number; answer: string; question_type_id: number; data_type: string }[];
}

/** SEED's ids are numeric strings in the annotations and ints in the answers (`int()` in the release). */
function seedKey(id: string | number): string {
  if (typeof id === 'number') return String(id);
  return /^\s*[+-]?\d+\s*$/.test(id) ? String(Number.parseInt(id, 10)) : `s:${id}`;
}

export const seed: Benchmark = {
  name: 'seed',
  column: 'SEED',
  description: 'SEED-Bench image: accuracy (exact letter) by question type',
  loadQuestions: (opts) =>
    loadLoaderBenchmark(opts, {
      questionFiles: ['eve-seed-bench-image.jsonl', 'llava-seed-bench-image.jsonl', 'llava-seed-bench.jsonl'],
      imageDirs: ['.'],
      suffix: OPTION_LETTER_SUFFIX,
      maxNewTokens: 128,
      what: 'SEED-Bench',
    }),
  async score(opts) {
    const data = await readJson<SeedAnnotations>(opts.annotations);
    if (!Array.isArray(data.questions) || typeof data.question_type !== 'object') {
      throw new FormatError(opts.annotations, 'expected SEED-Bench.json ({question_type, questions})');
    }
    const typeName = new Map(Object.entries(data.question_type).map(([n, id]) => [id, n] as const));
    const preds = new Map(opts.predictions.map((p) => [seedKey(p.question_id), p.text] as const));
    const perType = new Map<number, [number, number]>();
    let correct = 0;
    let total = 0;
    let missing = 0;
    const imageIds = new Set<string>();
    for (const q of data.questions) {
      if (q.data_type !== 'image') continue;
      imageIds.add(seedKey(q.question_id));
      const text = preds.get(seedKey(q.question_id));
      if (text === undefined) missing++;
      const ok = text === q.answer;
      const t = perType.get(q.question_type_id) ?? [0, 0];
      t[0] += ok ? 1 : 0;
      t[1]++;
      perType.set(q.question_type_id, t);
      correct += ok ? 1 : 0;
      total++;
    }
    const extra = opts.predictions.filter((p) => !imageIds.has(seedKey(p.question_id))).length;
    const byType = Object.fromEntries(
      [...perType].sort(([a], [b]) => a - b).map(([id, [c, n]]) => [typeName.get(id) ?? String(id), percent(c, n)]),
    );
    const accuracy = percent(correct, total);
    return {
      benchmark: 'seed',
      scored: true,
      headline: accuracy,
      metrics: { accuracy },
      breakdown: { accuracyByType: byType },
      counts: { questions: total, answered: total - missing, missing, extra },
      notes: missing ? [`${missing} image questions have no answer and count as wrong (as in the release)`] : [],
    };
  },
};
