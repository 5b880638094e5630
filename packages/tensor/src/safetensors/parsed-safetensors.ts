/**
 * What every single-file safetensors reader shares once its header is parsed: the tensor list,
 * lookups, dtype info and decoding bytes into tensors. Subclasses only say where a tensor's bytes
 * come from (`readRaw`: positioned file reads in SafetensorsFile, a slice of memory in
 * SafetensorsBytes) and how to let go of them (`close`).
 */
import { EveError } from '../errors.js';
import { fromRaw } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { decodeTensorBytes, unreadableDTypeError } from './decode.js';
import { dtypeOfFileDType } from './file-dtype.js';
import type { TensorEntry } from './header.js';
import type { SafetensorsReader, SafetensorsReadOptions, SafetensorsTensorInfo } from './safetensors-reader.js';

export abstract class ParsedSafetensors implements SafetensorsReader {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Offset of the data region (after the header) in the file. */
  protected readonly dataStart: number;
  readonly #order: readonly TensorEntry[];
  readonly #byKey: ReadonlyMap<string, TensorEntry>;

  protected constructor(path: string, metadata: Record<string, string>, entries: TensorEntry[], dataStart: number) {
    this.path = path;
    this.metadata = Object.freeze(metadata);
    this.#order = entries;
    this.#byKey = new Map(entries.map((e) => [e.key, e]));
    this.dataStart = dataStart;
  }

  /** The raw little-endian bytes of one tensor, in a buffer the caller owns. */
  abstract readRaw(key: string): Promise<Uint8Array>;
  abstract close(): Promise<void>;

  keys(): string[] {
    return this.#order.map((e) => e.key);
  }

  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  /** A tensor's dtype, shape and size. Throws a DTypeError for a file dtype evejs cannot hold (F64, I8, …). */
  info(key: string): SafetensorsTensorInfo {
    const e = this.entry(key);
    const dtype = dtypeOfFileDType(e.fileDType);
    if (dtype === null) throw unreadableDTypeError(this.path, key, e.fileDType);
    return { dtype, fileDType: e.fileDType, shape: [...e.shape], byteLength: e.end - e.begin };
  }

  async read(key: string, opts: SafetensorsReadOptions = {}): Promise<Tensor> {
    const e = this.entry(key);
    const { data, dtype } = decodeTensorBytes(this.path, key, await this.readRaw(key), e.fileDType, opts.dtype);
    return fromRaw(data, e.shape, dtype, opts.backend);
  }

  async *tensors(opts: SafetensorsReadOptions = {}): AsyncGenerator<[string, Tensor]> {
    for (const e of this.#order) yield [e.key, await this.read(e.key, opts)];
  }

  [Symbol.asyncIterator](): AsyncGenerator<[string, Tensor]> {
    return this.tensors();
  }

  /** The header entry of `key`; an EveError naming the file if there is none. */
  protected entry(key: string): TensorEntry {
    const e = this.#byKey.get(key);
    if (!e) throw new EveError(`${this.path}: no tensor named "${key}" (the file has ${this.#order.length})`);
    return e;
  }
}
