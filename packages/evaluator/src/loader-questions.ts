/**
 * Question files of the release's `model_vqa_loader` / `model_vqa` runners: JSON Lines with
 * `question_id`, `image`, `text` (already carrying the answer-format suffix in the release's
 * files) and optional `category`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '@evejs/tensor';
import type { QuestionId } from './answers.js';
import type { EvalQuestion, LoadOptions } from './benchmark.js';
import { findFile, withSuffix } from './benchmark.js';
import { readJsonLines } from './jsonl.js';

export interface LoaderQuestion {
  question_id: QuestionId;
  image: string;
  text: string;
  category?: string;
  [k: string]: unknown;
}

/** Reads a loader-style question file, checking each line's fields. */
export async function readLoaderQuestions(file: string): Promise<LoaderQuestion[]> {
  const { records } = await readJsonLines<LoaderQuestion>(file);
  records.forEach((q, i) => {
    if ((typeof q.question_id !== 'string' && typeof q.question_id !== 'number') || typeof q.text !== 'string') {
      throw new FormatError(file, `question ${i + 1} needs question_id and text`);
    }
  });
  return records;
}

/** Turns loader questions into runner questions: prompt = text (+ suffix if absent). */
export function loaderEvalQuestions(
  qs: readonly LoaderQuestion[],
  opts: LoadOptions & { imageDir: string; suffix: string | null; maxNewTokens: number },
): EvalQuestion[] {
  return qs.map((q) => {
    const prompt = opts.suffix === null ? q.text : withSuffix(q.text, opts.suffix);
    return {
      questionId: q.question_id,
      imagePath: opts.isBlind ? null : path.resolve(opts.imageDir, q.image),
      prompt,
      // model_vqa_loader records line["text"] as the prompt.
      recordedPrompt: prompt,
      maxNewTokens: opts.maxNewTokens,
    };
  });
}

/** Loads a loader-style benchmark from its release layout (first existing name wins). */
export async function loadLoaderBenchmark(
  opts: LoadOptions,
  layout: { questionFiles: readonly string[]; imageDirs: readonly string[]; suffix: string | null; maxNewTokens: number; what: string },
): Promise<EvalQuestion[]> {
  const file = opts.questionFile ?? findFile(opts.dataDir, layout.questionFiles, `${layout.what} question file`);
  const imageDir = opts.imageDir ?? firstExistingDir(opts.dataDir, layout.imageDirs);
  return loaderEvalQuestions(await readLoaderQuestions(file), { ...opts, imageDir, suffix: layout.suffix, maxNewTokens: layout.maxNewTokens });
}

function firstExistingDir(dir: string, names: readonly string[]): string {
  for (const n of names) {
    const p = path.join(dir, n);
    if (existsSync(p)) return p;
  }
  return path.join(dir, names[0] ?? '.');
}
