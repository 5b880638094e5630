/**
 * The evaluation runner: sends each question of one chunk to an Answerer and appends the answer
 * to answers.jsonl in the release's format, one flushed line per answer, so an interrupted run
 * resumes where it stopped (already answered ids are skipped; a truncated last line is cut
 * off). Sharding follows the release: `chunks` contiguous chunks of ceil(len / chunks), and
 * `mergeAnswerFiles` concatenates chunk files in order.
 *
 * Concurrency runs several requests at once over the same Answerer (batched generation is the
 * Answerer's business); answers are still written in question order.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EveError } from '@evejs/tensor';
import type { Answerer } from './answerer.js';
import { type AnswerRecord, answerKey } from './answers.js';
import type { EvalQuestion } from './benchmark.js';
import { parseJsonLines } from './jsonl.js';

/** The release's `get_chunk`: chunk `k` of `n` contiguous chunks of ceil(len / n). */
export function getChunk<T>(items: readonly T[], chunks: number, chunkIdx: number): T[] {
  if (!Number.isInteger(chunks) || chunks < 1) throw new EveError(`--chunks must be a positive integer, got ${chunks}`);
  if (!Number.isInteger(chunkIdx) || chunkIdx < 0 || chunkIdx >= chunks) throw new EveError(`--chunk-idx must be in [0, ${chunks}), got ${chunkIdx}`);
  const size = Math.ceil(items.length / chunks);
  return items.slice(chunkIdx * size, (chunkIdx + 1) * size);
}

/** The chunk file name the release's scripts use: `<chunks>_<idx>.jsonl`. */
export function chunkFileName(chunks: number, chunkIdx: number): string {
  return `${chunks}_${chunkIdx}.jsonl`;
}

export interface RunOptions {
  questions: readonly EvalQuestion[];
  answerer: Answerer;
  /** The answers file of this chunk (appended to; created if missing). */
  answersFile: string;
  chunks?: number;
  chunkIdx?: number;
  /** Requests in flight at once (default 1, as the release). */
  concurrency?: number;
  /** Called after each written answer with (done, total) for this chunk, including resumed ones. */
  onProgress?: (done: number, total: number) => void;
}

export interface RunSummary {
  total: number;
  /** Answers already in the file when the run started. */
  resumed: number;
  /** Answers written by this run. */
  written: number;
  /** A truncated last line that was cut off before resuming, or null. */
  truncatedTail: string | null;
}

/** Reads what an interrupted run left: the answered ids, after cutting off a truncated last line. */
async function prepareResume(file: string): Promise<{ done: Set<string>; truncatedTail: string | null }> {
  if (!existsSync(file)) return { done: new Set(), truncatedTail: null };
  const text = await readFile(file, 'utf8');
  const parsed = parseJsonLines<AnswerRecord>(text, file, { allowTruncatedLastLine: true });
  if (parsed.truncatedTail !== null || (text.length > 0 && !text.endsWith('\n'))) {
    // Cut to the complete lines and make sure the file ends with a newline before appending.
    await truncate(file, parsed.completeByteLength);
    if (parsed.completeByteLength > 0 && parsed.truncatedTail === null) await writeFile(file, '\n', { flag: 'a' });
  }
  return { done: new Set(parsed.records.map(answerKey)), truncatedTail: parsed.truncatedTail };
}

/** Runs (or resumes) one chunk of a benchmark. */
export async function runEvaluation(opts: RunOptions): Promise<RunSummary> {
  const chunk = getChunk(opts.questions, opts.chunks ?? 1, opts.chunkIdx ?? 0);
  await mkdir(path.dirname(opts.answersFile), { recursive: true });
  const { done, truncatedTail } = await prepareResume(opts.answersFile);
  const todo = chunk.filter((q) => !done.has(answerKey({ question_id: q.questionId, round_id: q.extra?.round_id, prompt: q.recordedPrompt })));
  const resumed = chunk.length - todo.length;
  let finished = resumed;
  opts.onProgress?.(finished, chunk.length);
  const fh = await open(opts.answersFile, 'a');
  try {
    const concurrency = Math.max(1, opts.concurrency ?? 1);
    const results = new Map<number, Promise<string>>();
    let next = 0;
    const launch = () => {
      while (next < todo.length && results.size < concurrency) {
        const q = todo[next]!;
        results.set(next, opts.answerer.answer({ imagePath: q.imagePath, prompt: q.prompt, maxNewTokens: q.maxNewTokens }));
        next++;
      }
    };
    for (let i = 0; i < todo.length; i++) {
      launch();
      const text = await results.get(i)!;
      results.delete(i);
      const q = todo[i]!;
      const record: AnswerRecord = {
        question_id: q.questionId,
        ...(q.extra?.round_id !== undefined ? { round_id: q.extra.round_id } : {}),
        prompt: q.recordedPrompt,
        text,
        ...(q.extra?.options ? { options: q.extra.options, option_char: q.extra.option_char } : {}),
        answer_id: randomUUID(),
        model_id: opts.answerer.modelId,
        metadata: {},
      } as AnswerRecord;
      await fh.write(`${JSON.stringify(record)}\n`);
      await fh.datasync();
      opts.onProgress?.(++finished, chunk.length);
    }
  } finally {
    await fh.close();
  }
  return { total: chunk.length, resumed, written: todo.length, truncatedTail };
}

/**
 * Concatenates the chunk files `<dir>/<chunks>_<i>.jsonl` in order into `outFile` (the release's
 * merge step). A missing chunk file, a malformed line or a question answered in two chunks is an
 * error.
 */
export async function mergeAnswerFiles(dir: string, chunks: number, outFile: string): Promise<{ answers: number }> {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (let i = 0; i < chunks; i++) {
    const file = path.join(dir, chunkFileName(chunks, i));
    if (!existsSync(file)) throw new EveError(`merge: chunk file ${file} is missing`);
    const text = await readFile(file, 'utf8');
    const { records } = parseJsonLines<AnswerRecord>(text, file);
    // Lines are copied byte for byte (as the release's `cat`), after validation.
    const raw = text.split('\n').filter((l) => l.trim() !== '');
    records.forEach((r, k) => {
      const key = answerKey(r);
      if (seen.has(key)) throw new EveError(`merge: question ${JSON.stringify(r.question_id)} is answered in more than one chunk`);
      seen.add(key);
      lines.push(raw[k]!);
    });
  }
  await writeFile(outFile, lines.map((l) => `${l}\n`).join(''));
  return { answers: lines.length };
}
