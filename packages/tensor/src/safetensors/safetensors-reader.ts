/**
 * The read surface shared by a single safetensors file and a sharded checkpoint, so that model
 * loaders take either. Reading is lazy: opening parses headers only, and each tensor's bytes are
 * read when asked for.
 */
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';

/** What a checkpoint says about one tensor, without reading it. */
export interface SafetensorsTensorInfo {
  /** The evejs dtype `read` gives without a `dtype` option (I64 is read as i32). */
  dtype: DType;
  /** The dtype name in the file (`"BF16"`, `"I64"`, …). */
  fileDType: string;
  shape: number[];
  /** Bytes the tensor occupies in the file (what `readRaw` returns). */
  byteLength: number;
}

/** Options for turning stored bytes into a Tensor. */
export interface SafetensorsReadOptions {
  /** Convert to this dtype while reading (e.g. `'f32'` for bf16 weights); default: the stored dtype. */
  dtype?: DType;
  /** Backend to create the tensor on; default: the engine's default backend. */
  backend?: string;
}

/** A lazily read set of named tensors: one file (`SafetensorsFile`) or a sharded checkpoint (`ShardedSafetensors`). */
export interface SafetensorsReader extends AsyncIterable<[string, Tensor]> {
  /** The path it was opened from (the file, or the index json). */
  readonly path: string;
  /** Free-form string metadata (`__metadata__`, or an index's `metadata`). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor names in storage order, the order that reads the disk sequentially. */
  keys(): string[];
  /** Whether a tensor of this name exists. */
  has(key: string): boolean;
  /** A tensor's dtype, shape and size, without reading it. */
  info(key: string): SafetensorsTensorInfo;
  /** A tensor's bytes exactly as stored (little-endian), in a fresh buffer of its size. */
  readRaw(key: string): Promise<Uint8Array>;
  /** Reads one tensor. The caller owns (and disposes) it. */
  read(key: string, opts?: SafetensorsReadOptions): Promise<Tensor>;
  /** Reads every tensor in storage order, one at a time; the caller disposes each. */
  tensors(opts?: SafetensorsReadOptions): AsyncGenerator<[string, Tensor]>;
  /** Releases the open file handles. Reads after `close()` fail. Safe to call twice. */
  close(): Promise<void>;
}
