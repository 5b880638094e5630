/**
 * JSON Lines and JSON file reading with errors that name the file and line. A malformed line is
 * an error, never skipped; the one exception is a truncated final line (no trailing newline),
 * which a caller resuming an interrupted run may ask to tolerate.
 */
import { readFile } from 'node:fs/promises';
import { FormatError } from '@evejs/tensor';

export interface ReadJsonLinesOptions {
  /** Tolerate (and report) an unparsable last line that has no trailing newline. */
  allowTruncatedLastLine?: boolean;
}

export interface JsonLines<T> {
  records: T[];
  /** The text of a dropped truncated last line, or null. */
  truncatedTail: string | null;
  /** Byte length of the complete lines (where appending may continue). */
  completeByteLength: number;
}

/** Parses JSON Lines text; blank lines are allowed, anything else must parse to an object. */
export function parseJsonLines<T>(text: string, file: string, opts: ReadJsonLinesOptions = {}): JsonLines<T> {
  const lines = text.split('\n');
  const records: T[] = [];
  let truncatedTail: string | null = null;
  let completeByteLength = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isLast = i === lines.length - 1;
    if (line.trim() === '') {
      if (!isLast) completeByteLength += Buffer.byteLength(line) + 1;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (isLast && opts.allowTruncatedLastLine) {
        truncatedTail = line;
        break;
      }
      throw new FormatError(file, `line ${i + 1} is not valid JSON: ${line.slice(0, 80)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FormatError(file, `line ${i + 1} is not a JSON object`);
    }
    records.push(value as T);
    completeByteLength += Buffer.byteLength(line) + (isLast ? 0 : 1);
  }
  return { records, truncatedTail, completeByteLength };
}

/** Reads a JSON Lines file (see `parseJsonLines`). */
export async function readJsonLines<T>(file: string, opts: ReadJsonLinesOptions = {}): Promise<JsonLines<T>> {
  return parseJsonLines<T>(await readText(file), file, opts);
}

/** Reads and parses a JSON file, naming the file on failure. */
export async function readJson<T>(file: string): Promise<T> {
  const text = await readText(file);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new FormatError(file, `not valid JSON (${(err as Error).message})`);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new FormatError(file, 'file not found');
    throw err;
  }
}
