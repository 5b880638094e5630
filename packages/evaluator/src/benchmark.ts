/**
 * What a benchmark adapter is: where its files live in the release's layout, how its questions
 * become prompts (EVE-SPEC §9.2), and how its official metric is computed from answers.jsonl.
 * Adapters live in `benchmarks/<name>.ts`; `benchmark-registry.ts` lists them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EveError } from '@evejs/tensor';
import type { AnswerRecord, QuestionId } from './answers.js';

/** The short-answer suffix of VQAv2, GQA, VizWiz, TextVQA, POPE, MME and shapes. */
export const SHORT_ANSWER_SUFFIX = '\nAnswer the question using a single word or phrase.';
/** The multiple-choice suffix of ScienceQA, MMBench and SEED. */
export const OPTION_LETTER_SUFFIX = "\nAnswer with the option's letter from the given choices directly.";
/** VizWiz's extra instruction, before the short-answer suffix. */
export const VIZWIZ_UNANSWERABLE = "\nWhen the provided information is insufficient, respond with 'Unanswerable'.";

/** One question as the runner sends it to the model. */
export interface EvalQuestion {
  questionId: QuestionId;
  /** Absolute image path, or null for a text-only question. */
  imagePath: string | null;
  /** The user text after `<image>\n` (the model adds the image token and the template). */
  prompt: string;
  /** The `prompt` field written to answers.jsonl (ScienceQA keeps `<image>\n` in it). */
  recordedPrompt: string;
  maxNewTokens: number;
  /** Extra answer fields (MMBench: round_id, options, option_char). */
  extra?: Partial<AnswerRecord>;
}

/** Counts that make mismatches between predictions and annotations visible. */
export interface ScoreCounts {
  /** Questions in the annotations that the metric covers. */
  questions: number;
  /** Of those, how many had an answer. */
  answered: number;
  /** Questions with no answer (scored as wrong unless the benchmark says otherwise). */
  missing: number;
  /** Answers whose question the annotations do not contain (ignored). */
  extra: number;
  [k: string]: number;
}

/** The result of `score`: one headline number (the paper table's) plus the details. */
export interface ScoreResult {
  benchmark: string;
  /** False when the official score comes from a server (a submission file was written) or a judge was absent. */
  scored: boolean;
  /** The paper-table value (percent, or MME's 0–2000 points), or null when unscored. */
  headline: number | null;
  metrics: Record<string, number>;
  /** Per split / type / subtask tables. */
  breakdown: Record<string, Record<string, number>>;
  counts: ScoreCounts;
  /** The written submission file, when the benchmark is scored by a server. */
  submission?: string;
  notes: string[];
}

export interface ScoreOptions {
  /** The official annotation file or folder. */
  annotations: string;
  predictions: readonly AnswerRecord[];
  /** The question file, for benchmarks whose scorer needs it (POPE categories, submissions). */
  questions?: string;
  /** Where to write a submission file (server-scored benchmarks). */
  submissionFile?: string;
  /** MM-Vet's judge. */
  judge?: import('./mmvet-judge.js').JudgeConfig;
}

export interface LoadOptions {
  /** The benchmark's data folder in the release's playground layout. */
  dataDir: string;
  /** Overrides of the question file and image folder. */
  questionFile?: string;
  imageDir?: string;
  /** Text-only prompts (no image), for blind baselines. */
  isBlind?: boolean;
  /** A scratch folder (MMBench writes its embedded images there). */
  workDir?: string;
}

export interface Benchmark {
  /** CLI name (`vqav2`, `gqa`, …). */
  readonly name: string;
  /** Column title in the paper's table (`VQAv2`, `SQA-I`, …). */
  readonly column: string;
  /** One line on what is loaded and scored. */
  readonly description: string;
  loadQuestions(opts: LoadOptions): Promise<EvalQuestion[]>;
  score(opts: ScoreOptions): Promise<ScoreResult>;
}

/** The first of `names` that exists in `dir`, or an error listing them. */
export function findFile(dir: string, names: readonly string[], what: string): string {
  for (const n of names) {
    const p = path.join(dir, n);
    if (existsSync(p)) return p;
  }
  throw new EveError(`${what} not found in ${dir} (looked for ${names.join(', ')})`);
}

/** Appends `suffix` unless the text already ends with it (the release's question files include it). */
export function withSuffix(text: string, suffix: string): string {
  return text.endsWith(suffix) ? text : text + suffix;
}

/** Percent with the float arithmetic of `correct / total * 100` in Python. */
export function percent(correct: number, total: number): number {
  return total === 0 ? 0 : (correct / total) * 100;
}
