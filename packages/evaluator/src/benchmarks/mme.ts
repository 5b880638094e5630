/**
 * MME (EVE-SPEC §9.6). The release runs `eve_mme.jsonl` (question ids `category/image`), then
 * `convert_answer_to_mme.py` restores each original question (drop the short-answer suffix, add
 * back " Please answer yes or no." — with two spaces where the GT file has two) to find its
 * ground truth in `MME_Benchmark_release_version/<category>/[questions_answers_YN/]<image>.txt`,
 * and the official `calculation.py` scores each subtask: acc + acc+ (both questions of an image
 * right), ×100 each. Perception (the table's value) sums ten subtasks, cognition four.
 *
 * Difference from the reference, on malformed input only: questions are paired by (category,
 * image) rather than by adjacent lines, and an unanswered question counts as wrong (the
 * reference asserts instead).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { EveError, FormatError } from '@evejs/tensor';
import type { Benchmark } from '../benchmark.js';
import { SHORT_ANSWER_SUFFIX } from '../benchmark.js';
import { loadLoaderBenchmark } from '../loader-questions.js';

export const MME_PERCEPTION = ['existence', 'count', 'position', 'color', 'posters', 'celebrity', 'scene', 'landmark', 'artwork', 'OCR'] as const;
export const MME_COGNITION = ['commonsense_reasoning', 'numerical_calculation', 'text_translation', 'code_reasoning'] as const;

/** calculation.py's parsing of a lower-cased answer: yes, no, or other (always wrong). */
export function mmeParseAnswer(text: string): 'yes' | 'no' | 'other' {
  const t = text.toLowerCase();
  if (t === 'yes' || t === 'no') return t;
  const head = t.slice(0, 4);
  if (head.includes('yes')) return 'yes';
  if (head.includes('no')) return 'no';
  return 'other';
}

/** `(category, txtFile, question)` → ground-truth answer, from the released benchmark folder. */
async function readGroundTruth(root: string): Promise<Map<string, string>> {
  const gt = new Map<string, string>();
  for (const category of await readdir(root)) {
    const cdir = path.join(root, category);
    if (!(await stat(cdir)).isDirectory()) continue;
    const qaDir = existsSync(path.join(cdir, 'images')) ? path.join(cdir, 'questions_answers_YN') : cdir;
    for (const f of await readdir(qaDir)) {
      if (!f.endsWith('.txt')) continue;
      const text = await readFile(path.join(qaDir, f), 'utf8');
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const parts = line.trim().split('\t');
        if (parts.length !== 2) throw new FormatError(path.join(qaDir, f), `expected "question<TAB>answer", got ${JSON.stringify(line)}`);
        gt.set(`${category}\u0000${f}\u0000${parts[0]}`, parts[1]!);
      }
    }
  }
  if (gt.size === 0) throw new EveError(`mme: no ground truth found under ${root} (expected MME_Benchmark_release_version)`);
  return gt;
}

export const mme: Benchmark = {
  name: 'mme',
  column: 'MME',
  description: 'MME: acc + acc+ per subtask; table = perception sum (max 2000)',
  loadQuestions: (opts) =>
    loadLoaderBenchmark(opts, {
      questionFiles: ['eve_mme.jsonl', 'llava_mme.jsonl'],
      imageDirs: ['MME_Benchmark_release_version'],
      suffix: SHORT_ANSWER_SUFFIX,
      maxNewTokens: 128,
      what: 'MME',
    }),
  async score(opts) {
    const gt = await readGroundTruth(opts.annotations);
    // key → prediction parsed, or undefined when unanswered
    const answered = new Map<string, string>();
    let extra = 0;
    for (const a of opts.predictions) {
      const id = String(a.question_id);
      const category = id.split('/')[0]!;
      const file = `${id.split('/').at(-1)!.split('.')[0]}.txt`;
      let prompt = a.prompt;
      if (prompt.includes('Answer the question using a single word or phrase.')) {
        prompt = prompt.replaceAll('Answer the question using a single word or phrase.', '').trim();
      }
      if (!prompt.includes('Please answer yes or no.')) {
        prompt += ' Please answer yes or no.';
        if (!gt.has(`${category}\u0000${file}\u0000${prompt}`)) prompt = prompt.replace(' Please answer yes or no.', '  Please answer yes or no.');
      }
      const key = `${category}\u0000${file}\u0000${prompt}`;
      if (!gt.has(key)) {
        extra++;
        continue;
      }
      if (answered.has(key)) throw new EveError(`mme: question ${JSON.stringify(prompt)} of ${category}/${file} is answered twice`);
      answered.set(key, a.text);
    }
    if (extra) throw new EveError(`mme: ${extra} answers match no ground-truth question (check the prompts and question ids)`);
    const answeredCategories = new Set([...answered.keys()].map((k) => k.split('\u0000')[0]!));
    const breakdown: Record<string, Record<string, number>> = {};
    let missing = 0;
    let questions = 0;
    for (const category of [...MME_PERCEPTION, ...MME_COGNITION]) {
      if (!answeredCategories.has(category)) continue;
      const images = new Map<string, boolean[]>();
      for (const [key, gtAnswer] of gt) {
        const [c, file] = key.split('\u0000') as [string, string];
        if (c !== category) continue;
        const text = answered.get(key);
        if (text === undefined) missing++;
        questions++;
        const ok = text !== undefined && mmeParseAnswer(text) === gtAnswer.toLowerCase();
        images.set(file, [...(images.get(file) ?? []), ok]);
      }
      let correct = 0;
      let n = 0;
      let bothRight = 0;
      for (const [file, oks] of images) {
        if (oks.length !== 2) throw new EveError(`mme: ${category}/${file} has ${oks.length} questions; MME pairs two per image`);
        correct += oks.filter(Boolean).length;
        n += oks.length;
        if (oks.every(Boolean)) bothRight++;
      }
      const acc = correct / n;
      const accPlus = bothRight / images.size;
      breakdown[category] = { acc: acc * 100, accPlus: accPlus * 100, score: acc * 100 + accPlus * 100 };
    }
    const sum = (names: readonly string[]) => names.reduce((s, c) => s + (breakdown[c]?.score ?? 0), 0);
    const absent = MME_PERCEPTION.filter((c) => !breakdown[c]);
    const perception = sum(MME_PERCEPTION);
    const notes: string[] = [];
    if (absent.length) notes.push(`perception subtasks with no answers (not in the sum): ${absent.join(', ')}`);
    if (missing) notes.push(`${missing} questions of answered subtasks have no answer and count as wrong`);
    return {
      benchmark: 'mme',
      scored: true,
      headline: perception,
      metrics: { perception, cognition: sum(MME_COGNITION) },
      breakdown,
      counts: { questions, answered: questions - missing, missing, extra, absentPerceptionSubtasks: absent.length },
      notes,
    };
  },
};
