/**
 * Streams the elements of a top-level JSON array from a file without loading the file whole:
 * a character scanner tracks strings, escapes and nesting depth, and hands each complete element's
 * text to JSON.parse. LLaVA-style datasets are single JSON arrays of hundreds of MB; this keeps
 * memory to one element at a time. Also reads JSON Lines (`.jsonl`), one element per line.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FormatError } from '@evejs/tensor';

export interface RawElement {
  /** Position in the array (or line number − 1 for JSON Lines, counting non-empty lines). */
  index: number;
  /** The parsed value, or the parse error's message if the element is not valid JSON. */
  value?: unknown;
  error?: string;
}

/** Yields each element of the top-level array in `file` (or each line of a `.jsonl` file). */
export async function* streamJsonArray(file: string): AsyncGenerator<RawElement> {
  if (file.endsWith('.jsonl')) {
    yield* streamJsonLines(file);
    return;
  }
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let depth = 0; // 0 = outside the array, 1 = inside it, >1 = inside an element
  let inString = false;
  let escaped = false;
  let started = false;
  let ended = false;
  let element = '';
  let index = 0;
  const emit = (): RawElement => {
    const text = element.trim();
    element = '';
    const i = index++;
    try {
      return { index: i, value: JSON.parse(text) };
    } catch (err) {
      return { index: i, error: (err as Error).message };
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let mark = 0; // start of the part of `chunk` that belongs to the current element
      for (let i = 0; i < chunk.length; i++) {
        const ch = chunk[i]!;
        if (ended) {
          if (!/\s/.test(ch)) throw new FormatError(file, 'unexpected data after the top-level array');
          continue;
        }
        if (!started) {
          if (/\s/.test(ch) || ch === '\ufeff') continue;
          if (ch !== '[') throw new FormatError(file, `expected a JSON array, found "${ch}"`);
          started = true;
          depth = 1;
          mark = i + 1;
          continue;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
          continue;
        }
        if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          if (depth === 1) {
            // The array's closing bracket.
            element += chunk.slice(mark, i);
            if (element.trim() !== '') yield emit();
            ended = true;
            continue;
          }
          depth--;
        } else if (ch === ',' && depth === 1) {
          element += chunk.slice(mark, i);
          yield emit();
          mark = i + 1;
        }
      }
      if (started && !ended) element += chunk.slice(mark);
    }
  } finally {
    stream.destroy();
  }
  if (!started) throw new FormatError(file, 'empty file: expected a JSON array');
  if (!ended) throw new FormatError(file, `truncated: the top-level array is not closed (after ${index} elements)`);
}

async function* streamJsonLines(file: string): AsyncGenerator<RawElement> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let index = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const i = index++;
    let parsed: RawElement;
    try {
      parsed = { index: i, value: JSON.parse(line) };
    } catch (err) {
      parsed = { index: i, error: (err as Error).message };
    }
    yield parsed;
  }
}
