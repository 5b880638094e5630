/**
 * One safetensors file, opened lazily: `open` reads only the 8-byte length and the JSON header;
 * each tensor's bytes are read on demand with one positioned read into a fresh buffer of exactly
 * its size. A 15 GB checkpoint therefore loads tensor by tensor, never whole and never twice.
 *
 * Not here: memory mapping (Node has none that is portable), writing (write.ts), shards (sharded.ts).
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { EveError, FormatError } from '../errors.js';
import { HEADER_LENGTH_BYTES, parseHeader, parseHeaderLength, type TensorEntry } from './header.js';
import { ParsedSafetensors } from './parsed-safetensors.js';
import { nodeBuiltin } from '../node-builtin.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');

/** The most bytes asked of one `read` call; Node caps a single read near 2 GiB. */
const MAX_READ_BYTES = 1 << 30;

/**
 * A safetensors file open for lazy reading.
 * @example
 * const f = await SafetensorsFile.open('model.safetensors');
 * try {
 *   const w = await f.read('lm_head.weight', { dtype: 'f32' });
 * } finally {
 *   await f.close();
 * }
 */
export class SafetensorsFile extends ParsedSafetensors {
  #handle: FileHandle | null;

  private constructor(path: string, handle: FileHandle, metadata: Record<string, string>, entries: TensorEntry[], dataStart: number) {
    super(path, metadata, entries, dataStart);
    this.#handle = handle;
  }

  /**
   * Opens `path` and reads and validates its header (not its tensors). Throws a FormatError naming
   * the file if it is truncated or its header is malformed; the file is closed again in that case.
   */
  static async open(path: string): Promise<SafetensorsFile> {
    const handle = await nodeFs.open(path, 'r');
    try {
      const { size } = await handle.stat();
      const prefix = size >= HEADER_LENGTH_BYTES ? await readExactly(handle, path, 0, HEADER_LENGTH_BYTES) : new Uint8Array(0);
      const headerByteLength = parseHeaderLength(path, prefix, size);
      const headerBytes = await readExactly(handle, path, HEADER_LENGTH_BYTES, headerByteLength);
      const header = parseHeader(path, headerBytes, size);
      return new SafetensorsFile(path, handle, header.metadata, header.entries, header.dataStart);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async readRaw(key: string): Promise<Uint8Array> {
    const e = this.entry(key);
    const handle = this.#open();
    return readExactly(handle, this.path, this.dataStart + e.begin, e.end - e.begin, `tensor "${key}"`);
  }

  async close(): Promise<void> {
    const h = this.#handle;
    this.#handle = null;
    await h?.close();
  }

  #open(): FileHandle {
    if (!this.#handle) throw new EveError(`${this.path}: read after close()`);
    return this.#handle;
  }
}

/**
 * Reads `length` bytes at `position` into a fresh buffer of exactly that size, looping over short
 * reads. A file that ends early (it shrank after opening) is a FormatError.
 */
async function readExactly(handle: FileHandle, path: string, position: number, length: number, what = 'header'): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, Math.min(length - done, MAX_READ_BYTES), position + done);
    if (bytesRead === 0) {
      throw new FormatError(path, `truncated: the file ended ${length - done} bytes into ${what} (it changed after opening?)`);
    }
    done += bytesRead;
  }
  return buf;
}
