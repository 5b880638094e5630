/**
 * POPE on COCO val2014 (EVE-SPEC §9.5), as the release's `eval_pope.py`: an answer is "no" when
 * its first sentence, commas removed, split on single spaces, contains the word `No`, `not` or
 * `no`; otherwise "yes". For each `coco_pope_<split>.json` the answers whose question (looked up
 * in the question file) has that category are paired with the label lines **by order**. The
 * table value is the mean F1 of the three splits.
 */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EveError, FormatError } from '@evejs/tensor';
import { idKey } from '../answers.js';
import type { Benchmark, ScoreResult } from '../benchmark.js';
import { SHORT_ANSWER_SUFFIX, findFile } from '../benchmark.js';
import { readJsonLines } from '../jsonl.js';
import { loadLoaderBenchmark, readLoaderQuestions } from '../loader-questions.js';
import { yesNoMetrics } from '../yes-no-metrics.js';

const POPE_QUESTION_FILES = ['eve_pope_test.jsonl', 'llava_pope_test.jsonl'];

/** True for "yes" under the release's POPE parsing. */
export function popeAnswerIsYes(text: string): boolean {
  let t = text;
  const dot = t.indexOf('.');
  if (dot !== -1) t = t.slice(0, dot);
  const words = t.replaceAll(',', '').split(' ');
  return !(words.includes('No') || words.includes('not') || words.includes('no'));
}

async function labelDir(annotations: string): Promise<string> {
  const names = async (d: string) => (await readdir(d)).filter((f) => f.startsWith('coco_pope_') && f.endsWith('.json'));
  if ((await names(annotations)).length) return annotations;
  const coco = path.join(annotations, 'coco');
  if (existsSync(coco) && (await names(coco)).length) return coco;
  throw new EveError(`pope: no coco_pope_<split>.json label files in ${annotations} or ${coco}`);
}

export const pope: Benchmark = {
  name: 'pope',
  column: 'POPE',
  description: 'POPE adversarial/popular/random: acc, precision, recall, F1, yes-ratio; table = mean F1',
  loadQuestions: (opts) =>
    loadLoaderBenchmark(opts, { questionFiles: POPE_QUESTION_FILES, imageDirs: ['val2014'], suffix: SHORT_ANSWER_SUFFIX, maxNewTokens: 128, what: 'POPE' }),
  async score(opts): Promise<ScoreResult> {
    const dir = await labelDir(opts.annotations);
    const questionFile =
      opts.questions ??
      (POPE_QUESTION_FILES.map((n) => path.join(opts.annotations, n)).find(existsSync) ??
        findFile(path.dirname(dir), POPE_QUESTION_FILES, 'POPE question file (--questions)'));
    const questions = new Map((await readLoaderQuestions(questionFile)).map((q) => [idKey(q.question_id), q] as const));
    const extra = opts.predictions.filter((p) => !questions.has(idKey(p.question_id))).length;
    if (extra) throw new EveError(`pope: ${extra} answers have question ids that are not in ${questionFile}`);
    const files = (await readdir(dir)).filter((f) => f.startsWith('coco_pope_') && f.endsWith('.json')).sort();
    const breakdown: Record<string, Record<string, number>> = {};
    let f1Sum = 0;
    let total = 0;
    for (const f of files) {
      const category = f.slice('coco_pope_'.length, -'.json'.length);
      const { records } = await readJsonLines<{ label?: string }>(path.join(dir, f));
      const labels = records.map((r, i) => {
        if (typeof r.label !== 'string') throw new FormatError(path.join(dir, f), `line ${i + 1} has no label`);
        return r.label !== 'no';
      });
      const answers = opts.predictions.filter((p) => questions.get(idKey(p.question_id))!.category === category);
      if (answers.length !== labels.length) {
        throw new EveError(
          `pope: split ${category} has ${answers.length} answers for ${labels.length} labels; answers are paired with labels by order, so every question must be answered exactly once`,
        );
      }
      const m = yesNoMetrics(answers.map((a) => popeAnswerIsYes(a.text)), labels);
      breakdown[category] = { ...m };
      f1Sum += m.f1;
      total += labels.length;
    }
    const meanF1 = files.length ? (f1Sum / files.length) * 100 : 0;
    const metrics: Record<string, number> = { meanF1 };
    for (const [c, m] of Object.entries(breakdown)) {
      metrics[`${c}.f1`] = m.f1! * 100;
      metrics[`${c}.accuracy`] = m.accuracy! * 100;
    }
    return {
      benchmark: 'pope',
      scored: true,
      headline: meanF1,
      metrics,
      breakdown,
      counts: { questions: total, answered: total, missing: 0, extra },
      notes: [],
    };
  },
};
