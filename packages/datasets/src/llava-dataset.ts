/**
 * Reads EVE's training data: LLaVA-style records (id, optional image, conversations of
 * human/gpt turns with `<image>` in the first human turn), streamed from a JSON array or JSON
 * Lines file, with images resolved against an image folder. A bad record is reported with its
 * index and reason, then skipped or fatal as the caller chooses; it is never dropped silently.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { EveError } from '@evejs/tensor';
import { streamJsonArray } from './json-array-stream.js';

export interface Turn {
  from: 'human' | 'gpt';
  value: string;
}

export interface DatasetRecord {
  /** Position in the file. */
  index: number;
  id: string;
  /** Absolute path of the image, or null for a text-only record. */
  imagePath: string | null;
  conversations: Turn[];
}

/** A record that failed validation: its index, id if known, and why. */
export class BadRecordError extends EveError {
  override name = 'BadRecordError';
  constructor(
    readonly file: string,
    readonly index: number,
    readonly reason: string,
    readonly id?: string,
  ) {
    super(`${file}: record ${index}${id !== undefined ? ` (id "${id}")` : ''}: ${reason}`);
  }
}

export interface ReadDatasetOptions {
  /** Folder that image paths are relative to (default: the data file's folder). */
  imageFolder?: string;
  /** What to do with a bad record: 'fail' (default) throws; 'skip' reports it and goes on. */
  onBadRecord?: 'fail' | 'skip';
  /** Receives every skipped record's error (default: a warning on stderr). */
  report?: (err: BadRecordError) => void;
  /** Check that every image file exists (default true). */
  checkImages?: boolean;
}

export interface DatasetStats {
  read: number;
  skipped: number;
}

/** Validates one parsed element as a LLaVA record; returns the reason it is bad, or the record. */
export function validateRecord(value: unknown): { record: Omit<DatasetRecord, 'index' | 'imagePath'> & { image?: string } } | { reason: string; id?: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { reason: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  const id = typeof v['id'] === 'string' || typeof v['id'] === 'number' ? String(v['id']) : undefined;
  if (id === undefined) return { reason: 'missing "id" (string or number)' };
  if (v['image'] !== undefined && (typeof v['image'] !== 'string' || v['image'] === '')) return { reason: '"image" must be a non-empty string', id };
  const conv = v['conversations'];
  if (!Array.isArray(conv) || conv.length === 0) return { reason: '"conversations" must be a non-empty array', id };
  const turns: Turn[] = [];
  for (let i = 0; i < conv.length; i++) {
    const t = conv[i] as Record<string, unknown> | null;
    if (!t || typeof t !== 'object') return { reason: `conversations[${i}] is not an object`, id };
    const expected = i % 2 === 0 ? 'human' : 'gpt';
    if (t['from'] !== expected) return { reason: `conversations[${i}].from is ${JSON.stringify(t['from'])}, expected "${expected}"`, id };
    if (typeof t['value'] !== 'string') return { reason: `conversations[${i}].value must be a string`, id };
    turns.push({ from: expected, value: t['value'] });
  }
  const hasImageToken = turns.some((t) => t.value.includes('<image>'));
  if (v['image'] !== undefined && !turns[0]!.value.includes('<image>')) {
    return { reason: 'the record has an image but its first human turn has no <image>', id };
  }
  if (v['image'] === undefined && hasImageToken) return { reason: '<image> appears but the record has no "image"', id };
  return { record: { id, conversations: turns, ...(v['image'] !== undefined ? { image: v['image'] as string } : {}) } };
}

/**
 * Streams the valid records of a LLaVA-style dataset file.
 * @example for await (const r of readLlavaDataset('conversations.json', { imageFolder: 'images' })) …
 */
export async function* readLlavaDataset(file: string, opts: ReadDatasetOptions = {}, stats: DatasetStats = { read: 0, skipped: 0 }): AsyncGenerator<DatasetRecord> {
  const folder = opts.imageFolder ?? path.dirname(file);
  const report = opts.report ?? ((e: BadRecordError) => process.stderr.write(`warning: skipped ${e.message}\n`));
  const bad = (err: BadRecordError): void => {
    if (opts.onBadRecord !== 'skip') throw err;
    stats.skipped++;
    report(err);
  };
  for await (const el of streamJsonArray(file)) {
    if (el.error !== undefined) {
      bad(new BadRecordError(file, el.index, `invalid JSON: ${el.error}`));
      continue;
    }
    const checked = validateRecord(el.value);
    if ('reason' in checked) {
      bad(new BadRecordError(file, el.index, checked.reason, checked.id));
      continue;
    }
    const { image, ...rest } = checked.record;
    let imagePath: string | null = null;
    if (image !== undefined) {
      imagePath = path.resolve(folder, image);
      if (opts.checkImages !== false) {
        try {
          await access(imagePath);
        } catch {
          bad(new BadRecordError(file, el.index, `image not found: ${imagePath}`, rest.id));
          continue;
        }
      }
    }
    stats.read++;
    yield { index: el.index, imagePath, ...rest };
  }
}
