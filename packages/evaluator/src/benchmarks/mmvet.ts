/**
 * MM-Vet (EVE-SPEC §9.2). Runs `eve-mm-vet.jsonl` with no suffix and up to 1024 new tokens; the
 * release converts answers to `{"v1_<qid>": text}` (written as the submission file) and grades
 * them with GPT-4 through MM-Vet's evaluator. `score` does the same through a configurable
 * OpenAI-compatible judge; without one the result is explicitly unscored.
 * Scores: per capability (rec, ocr, know, gen, spat, math) and total, mean ×100 (one run).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EveError, FormatError } from '@evejs/tensor';
import type { Benchmark, ScoreResult } from '../benchmark.js';
import { readJson } from '../jsonl.js';
import { loadLoaderBenchmark } from '../loader-questions.js';
import { mmvetGrade } from '../mmvet-judge.js';
import { defaultSubmissionFile } from './submission.js';

interface MmvetItem {
  question: string;
  answer: string;
  capability: string[];
}

export const mmvet: Benchmark = {
  name: 'mmvet',
  column: 'MM-Vet',
  description: 'MM-Vet: LLM-judged score (--judge-url/--judge-model), else unscored',
  loadQuestions: (opts) =>
    loadLoaderBenchmark(opts, {
      questionFiles: ['eve-mm-vet.jsonl', 'llava-mm-vet.jsonl'],
      imageDirs: ['images'],
      suffix: null,
      maxNewTokens: 1024,
      what: 'MM-Vet',
    }),
  async score(opts): Promise<ScoreResult> {
    const file = opts.annotations.endsWith('.json') ? opts.annotations : path.join(opts.annotations, 'mm-vet.json');
    const data = await readJson<Record<string, MmvetItem>>(file);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new FormatError(file, 'expected mm-vet.json ({"v1_0": {...}})');
    const results: Record<string, string> = {};
    for (const p of opts.predictions) results[`v1_${p.question_id}`] = p.text;
    const submission = defaultSubmissionFile(opts, 'mmvet');
    await mkdir(path.dirname(submission), { recursive: true });
    await writeFile(submission, `${JSON.stringify(results, null, 2)}\n`);
    const ids = Object.keys(data);
    const missingIds = ids.filter((id) => !(id in results));
    const extra = Object.keys(results).filter((k) => !(k in data)).length;
    const counts = { questions: ids.length, answered: ids.length - missingIds.length, missing: missingIds.length, extra };
    if (!opts.judge) {
      return {
        benchmark: 'mmvet', scored: false, headline: null, metrics: {}, breakdown: {}, counts, submission,
        notes: ['unscored: no judge given (--judge-url, --judge-model, key from $OPENAI_API_KEY); results file written for the official evaluator'],
      };
    }
    if (missingIds.length) throw new EveError(`mmvet: ${missingIds.length} questions have no answer (e.g. ${missingIds[0]}); the grader needs all of them`);
    const capSum = new Map<string, [number, number]>();
    let total = 0;
    const grades: Record<string, number> = {};
    for (const id of ids) {
      const item = data[id]!;
      const { score } = await mmvetGrade(opts.judge, item.question, item.answer, results[id]!);
      grades[id] = score;
      total += score;
      for (const c of new Set(item.capability)) {
        const t = capSum.get(c) ?? [0, 0];
        t[0] += score;
        t[1]++;
        capSum.set(c, t);
      }
    }
    const totalScore = (total / ids.length) * 100;
    return {
      benchmark: 'mmvet', scored: true, headline: totalScore,
      metrics: { total: totalScore },
      breakdown: { capability: Object.fromEntries([...capSum].map(([c, [s, n]]) => [c, (s / n) * 100])), grades },
      counts, submission,
      notes: [`graded by ${opts.judge.model} at ${opts.judge.url} (one run; the paper used GPT-4)`],
    };
  },
};
