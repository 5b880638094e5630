/**
 * The release's answers.jsonl format (EVE-SPEC §9.1): one line per question with `question_id`,
 * `prompt`, `text`, `answer_id`, `model_id` and `metadata` (MMBench adds `round_id`, `options`,
 * `option_char`). Question ids keep their JSON type (number or string) because the official
 * scorers compare them by equality.
 */
import { FormatError } from '@evejs/tensor';
import { readJsonLines } from './jsonl.js';

export type QuestionId = string | number;

export interface AnswerRecord {
  question_id: QuestionId;
  prompt: string;
  text: string;
  answer_id: string;
  model_id: string;
  metadata: Record<string, unknown>;
  round_id?: number;
  options?: string[];
  option_char?: string[];
}

/** A key that keeps numbers and strings apart (`1` and `"1"` are different questions). */
export function idKey(id: QuestionId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

function checkRecord(r: Partial<AnswerRecord>, file: string, index: number): AnswerRecord {
  const where = `answer ${index + 1}`;
  if (typeof r.question_id !== 'string' && typeof r.question_id !== 'number') {
    throw new FormatError(file, `${where} has no question_id`);
  }
  if (typeof r.text !== 'string') throw new FormatError(file, `${where} (question ${r.question_id}) has no text`);
  return { prompt: '', answer_id: '', model_id: '', metadata: {}, ...r } as AnswerRecord;
}

/**
 * The identity of one answer line: question id, MMBench round and prompt. The prompt is part of it
 * because TextVQA's question files reuse the image id as `question_id` for every question of an
 * image.
 */
export function answerKey(r: { question_id: QuestionId; round_id?: number; prompt: string }): string {
  return `${idKey(r.question_id)}#${r.round_id ?? 0}#${r.prompt}`;
}

/**
 * Reads an answers file for scoring: every line must parse and carry `question_id` and `text`;
 * the same (question, round, prompt) answered twice is an error.
 */
export async function readAnswers(file: string): Promise<AnswerRecord[]> {
  const { records } = await readJsonLines<Partial<AnswerRecord>>(file);
  const out = records.map((r, i) => checkRecord(r, file, i));
  const seen = new Set<string>();
  for (const a of out) {
    const key = answerKey(a);
    if (seen.has(key)) throw new FormatError(file, `question ${JSON.stringify(a.question_id)} is answered more than once`);
    seen.add(key);
  }
  return out;
}

/** Predictions matched to the expected questions, with the mismatches counted. */
export interface MatchedAnswers {
  byId: Map<string, AnswerRecord>;
  /** Expected ids with no answer (scored as wrong). */
  missing: QuestionId[];
  /** Answered ids the annotations do not know (not scored). */
  extra: QuestionId[];
}

/** Matches answers to the expected question ids. */
export function matchAnswers(expected: readonly QuestionId[], answers: readonly AnswerRecord[]): MatchedAnswers {
  const byId = new Map<string, AnswerRecord>();
  for (const a of answers) byId.set(idKey(a.question_id), a);
  const expectedKeys = new Set(expected.map(idKey));
  const missing = expected.filter((id) => !byId.has(idKey(id)));
  const extra = answers.filter((a) => !expectedKeys.has(idKey(a.question_id))).map((a) => a.question_id);
  return { byId, missing, extra };
}
