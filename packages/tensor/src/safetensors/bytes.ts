/**
 * A safetensors file already in memory (a fetched response, a file picked in a browser): the same
 * reader as SafetensorsFile, with no file system. Several of them (the shards of one checkpoint)
 * combine into one reader with `SafetensorsBytes.combine`.
 *
 * Not here: streaming from a URL while parsing (the caller fetches, with its own progress bar).
 */
import { EveError, FormatError } from '../errors.js';
import { HEADER_LENGTH_BYTES, parseHeader, parseHeaderLength, type TensorEntry } from './header.js';
import { ParsedSafetensors } from './parsed-safetensors.js';
import type { SafetensorsReader, SafetensorsReadOptions } from './safetensors-reader.js';

/**
 * A safetensors file held as bytes.
 * @example
 * const bytes = new Uint8Array(await (await fetch('/models/tiny/model.safetensors')).arrayBuffer());
 * const f = SafetensorsBytes.parse('model.safetensors', bytes);
 * const w = await f.read('lm_head.weight', { dtype: 'f32' });
 */
export class SafetensorsBytes extends ParsedSafetensors {
  #bytes: Uint8Array | null;

  private constructor(path: string, bytes: Uint8Array, metadata: Record<string, string>, entries: TensorEntry[], dataStart: number) {
    super(path, metadata, entries, dataStart);
    this.#bytes = bytes;
  }

  /** Parses and validates the header of `bytes` (a whole file); `name` names it in errors. */
  static parse(name: string, bytes: Uint8Array): SafetensorsBytes {
    const headerByteLength = parseHeaderLength(name, bytes.subarray(0, HEADER_LENGTH_BYTES), bytes.byteLength);
    if (HEADER_LENGTH_BYTES + headerByteLength > bytes.byteLength) {
      throw new FormatError(name, `truncated: the header needs ${headerByteLength} bytes, the file has ${bytes.byteLength - HEADER_LENGTH_BYTES} after its length`);
    }
    const header = parseHeader(name, bytes.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + headerByteLength), bytes.byteLength);
    return new SafetensorsBytes(name, bytes, header.metadata, header.entries, header.dataStart);
  }

  /**
   * One reader over several files (the shards of a checkpoint; no index json needed: each shard's
   * header names its tensors). A tensor name in two files is an error.
   */
  static combine(name: string, files: readonly SafetensorsReader[]): SafetensorsReader {
    const owner = new Map<string, SafetensorsReader>();
    for (const f of files) {
      for (const k of f.keys()) {
        const prev = owner.get(k);
        if (prev) throw new FormatError(name, `tensor "${k}" is in both ${prev.path} and ${f.path}`);
        owner.set(k, f);
      }
    }
    const of = (key: string) => {
      const f = owner.get(key);
      if (!f) throw new EveError(`${name}: no tensor named "${key}" (the files have ${owner.size})`);
      return f;
    };
    const reader: SafetensorsReader = {
      path: name,
      metadata: Object.freeze({ ...Object.assign({}, ...files.map((f) => f.metadata)) }),
      keys: () => [...owner.keys()],
      has: (key) => owner.has(key),
      info: (key) => of(key).info(key),
      readRaw: (key) => of(key).readRaw(key),
      read: (key, opts) => of(key).read(key, opts),
      async *tensors(opts: SafetensorsReadOptions = {}) {
        for (const k of owner.keys()) yield [k, await of(k).read(k, opts)];
      },
      [Symbol.asyncIterator]: () => reader.tensors(),
      async close() {
        await Promise.all(files.map((f) => f.close()));
      },
    };
    return reader;
  }

  async readRaw(key: string): Promise<Uint8Array> {
    const e = this.entry(key);
    // A copy: callers own the result, and it is aligned for typed-array views.
    return this.#data().slice(this.dataStart + e.begin, this.dataStart + e.end);
  }

  /** Drops the reference to the bytes (so they can be garbage-collected). */
  async close(): Promise<void> {
    this.#bytes = null;
  }

  #data(): Uint8Array {
    if (!this.#bytes) throw new EveError(`${this.path}: read after close()`);
    return this.#bytes;
  }
}
