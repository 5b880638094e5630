/**
 * The safetensors header: an 8-byte little-endian length, then that many bytes of JSON mapping
 * each tensor name to `{dtype, shape, data_offsets}` (plus an optional `__metadata__` string map),
 * then the data region that the offsets index into.
 *
 * Parsing validates everything the reference reader (huggingface/safetensors
 * `safetensors/src/tensor.rs`, `read_metadata` and `Metadata::validate`) validates, and a little
 * more: the tensors, sorted by offset, must tile the data region exactly (no gap, no overlap, no
 * trailing bytes), each tensor's byte count must equal its shape times its dtype size, and no key
 * may appear twice. Encoding lays tensors out as the reference writer (`prepare`) does, so our
 * files are byte-identical to the Python library's. This file does no I/O.
 */
import { EveError, FormatError } from '../errors.js';
import { type FileDType, fileDTypeBits, fileDTypeWriteRank, isFileDType } from './file-dtype.js';
import { parseStrictJson } from './strict-json.js';

/** Size of the little-endian u64 that starts every file and gives the header's length. */
export const HEADER_LENGTH_BYTES = 8;

/** The reference's limit on the JSON header (`MAX_HEADER_SIZE`); larger headers are refused. */
export const HEADER_MAX_BYTES = 100_000_000;

/** The reserved header key holding the free-form string metadata. */
export const METADATA_KEY = '__metadata__';

/** One tensor's entry in a header. Offsets are relative to the start of the data region. */
export interface TensorEntry {
  key: string;
  fileDType: FileDType;
  shape: number[];
  /** First byte of the tensor in the data region. */
  begin: number;
  /** One past its last byte; `end - begin` is its byte length. */
  end: number;
}

/** A parsed, validated header. */
export interface SafetensorsHeader {
  /** Free-form metadata (`__metadata__`), empty when the file has none. */
  metadata: Record<string, string>;
  /** The tensors in file (offset) order. */
  entries: TensorEntry[];
  /** File offset of the data region: 8 + the JSON header's length. */
  dataStart: number;
}

/**
 * Reads the header length from a file's first 8 bytes and checks it against the file size.
 * `file` names the file in errors; `fileByteLength` is the whole file's size.
 */
export function parseHeaderLength(file: string, prefix: Uint8Array, fileByteLength: number): number {
  if (fileByteLength < HEADER_LENGTH_BYTES || prefix.byteLength < HEADER_LENGTH_BYTES) {
    throw new FormatError(file, `truncated: ${fileByteLength} bytes is shorter than the 8-byte header length`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, HEADER_LENGTH_BYTES).getBigUint64(0, true);
  if (n > BigInt(HEADER_MAX_BYTES)) {
    throw new FormatError(file, `header length ${n} exceeds the ${HEADER_MAX_BYTES}-byte limit (not a safetensors file?)`);
  }
  const headerByteLength = Number(n);
  if (HEADER_LENGTH_BYTES + headerByteLength > fileByteLength) {
    throw new FormatError(
      file,
      `truncated: header length ${headerByteLength} runs past the end of the ${fileByteLength}-byte file`,
    );
  }
  return headerByteLength;
}

/**
 * Parses and validates the JSON header bytes (those after the 8-byte length) of a file of
 * `fileByteLength` bytes. Throws a FormatError naming `file` and the first problem found.
 */
export function parseHeader(file: string, headerBytes: Uint8Array, fileByteLength: number): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new FormatError(file, 'header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = parseStrictJson(text);
  } catch (e) {
    throw new FormatError(file, `header: ${(e as Error).message}`);
  }
  if (!isPlainObject(json)) {
    throw new FormatError(file, `header is not a JSON object (got ${jsonKind(json)})`);
  }

  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (key === METADATA_KEY) {
      metadata = parseMetadata(file, value);
    } else {
      entries.push(parseEntry(file, key, value));
    }
  }

  // File order. Ties only happen for empty tensors, which sort before the tensor they share a start with.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: TensorEntry | undefined;
  for (const e of entries) {
    if (e.begin > covered) {
      const after = previous ? `tensor "${previous.key}" ends at ${covered}` : 'the data region starts at 0';
      throw new FormatError(file, `gap in the data region: tensor "${e.key}" starts at byte ${e.begin} but ${after}`);
    }
    if (e.begin < covered) {
      throw new FormatError(
        file,
        `overlapping tensors: "${e.key}" [${e.begin}, ${e.end}) overlaps "${previous?.key}" [${previous?.begin}, ${previous?.end})`,
      );
    }
    covered = e.end;
    previous = e;
  }

  const dataStart = HEADER_LENGTH_BYTES + headerBytes.byteLength;
  const dataByteLength = fileByteLength - dataStart;
  if (covered > dataByteLength) {
    throw new FormatError(
      file,
      `truncated: tensors need ${covered} bytes of data but the file has ${dataByteLength}` +
        (previous ? ` (tensor "${previous.key}" ends at byte ${previous.end})` : ''),
    );
  }
  if (covered < dataByteLength) {
    throw new FormatError(file, `${dataByteLength - covered} trailing bytes after the last tensor (tensors cover ${covered} of ${dataByteLength})`);
  }
  return { metadata, entries, dataStart };
}

function parseMetadata(file: string, value: unknown): Record<string, string> {
  if (value === null) return {}; // the reference reads `null` as "no metadata"
  if (!isPlainObject(value)) {
    throw new FormatError(file, `${METADATA_KEY} must be an object of strings (got ${jsonKind(value)})`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new FormatError(file, `${METADATA_KEY}["${k}"] must be a string (got ${jsonKind(v)})`);
    }
  }
  return value as Record<string, string>;
}

function parseEntry(file: string, key: string, value: unknown): TensorEntry {
  const at = `tensor "${key}"`;
  if (!isPlainObject(value)) throw new FormatError(file, `${at}: entry is not an object (got ${jsonKind(value)})`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (dtype === undefined) throw new FormatError(file, `${at}: missing "dtype"`);
  if (!isFileDType(dtype)) throw new FormatError(file, `${at}: unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape)) throw new FormatError(file, `${at}: "shape" must be an array (got ${jsonKind(shape)})`);
  for (const d of shape) {
    if (!isByteCount(d)) {
      throw new FormatError(file, `${at}: shape ${JSON.stringify(shape)} has ${JSON.stringify(d)}, not a non-negative integer`);
    }
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isByteCount(offsets[0]) || !isByteCount(offsets[1])) {
    throw new FormatError(file, `${at}: "data_offsets" must be two non-negative integers (got ${JSON.stringify(offsets)})`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new FormatError(file, `${at}: data_offsets [${begin}, ${end}] end before they begin`);

  const dims = shape as number[];
  let elements = 1;
  for (const d of dims) {
    elements *= d;
    if (!Number.isSafeInteger(elements)) throw new FormatError(file, `${at}: shape ${JSON.stringify(dims)} is too large`);
  }
  const bits = elements * fileDTypeBits(dtype);
  if (!Number.isSafeInteger(bits)) throw new FormatError(file, `${at}: shape ${JSON.stringify(dims)} is too large`);
  if (bits % 8 !== 0) {
    throw new FormatError(file, `${at}: ${elements} ${dtype} elements do not end on a byte boundary`);
  }
  if (end - begin !== bits / 8) {
    throw new FormatError(
      file,
      `${at}: shape ${JSON.stringify(dims)} of ${dtype} needs ${bits / 8} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { key, fileDType: dtype, shape: dims, begin, end };
}

/** What the writer needs to know about one tensor to lay out the header. */
export interface TensorLayoutInput {
  key: string;
  fileDType: FileDType;
  shape: readonly number[];
}

/** The bytes that start a file (length + padded JSON) and where each tensor goes, in write order. */
export interface EncodedHeader {
  /** The 8-byte length followed by the JSON header, space-padded to a multiple of 8 bytes. */
  bytes: Uint8Array;
  /** The tensors in the order their bytes follow the header, with their offsets. */
  entries: TensorEntry[];
  /** Total bytes of the data region. */
  dataByteLength: number;
}

/**
 * Lays out a header as the reference writer does: tensors sorted by descending dtype rank (the
 * reference enum order, so wider dtypes first) then by name (bytewise UTF-8, as Rust orders
 * strings), offsets packed from 0, compact JSON with `__metadata__` first, padded with spaces so
 * the data region starts at a multiple of 8. Metadata keys are written sorted; the reference
 * writes them in hash-map order, so files with more than one metadata entry can differ from its
 * output in that order only.
 */
export function encodeHeader(tensors: readonly TensorLayoutInput[], metadata?: Record<string, string>): EncodedHeader {
  const sorted = [...tensors].sort(
    (a, b) => fileDTypeWriteRank(b.fileDType) - fileDTypeWriteRank(a.fileDType) || compareUtf8(a.key, b.key),
  );
  const entries: TensorEntry[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const t of sorted) {
    if (t.key === METADATA_KEY) throw new EveError(`safetensors: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (seen.has(t.key)) throw new EveError(`safetensors: duplicate tensor name "${t.key}"`);
    seen.add(t.key);
    let elements = 1;
    for (const d of t.shape) {
      if (!isByteCount(d)) throw new EveError(`safetensors: tensor "${t.key}" has invalid shape [${t.shape.join(', ')}]`);
      elements *= d;
    }
    const bits = elements * fileDTypeBits(t.fileDType);
    if (bits % 8 !== 0) throw new EveError(`safetensors: tensor "${t.key}" does not end on a byte boundary`);
    const begin = offset;
    offset += bits / 8;
    entries.push({ key: t.key, fileDType: t.fileDType, shape: [...t.shape], begin, end: offset });
  }

  const parts: string[] = [];
  if (metadata !== undefined) {
    const meta = Object.keys(metadata)
      .sort(compareUtf8)
      .map((k) => {
        const v = metadata[k];
        if (typeof v !== 'string') throw new EveError(`safetensors: metadata["${k}"] must be a string (got ${typeof v})`);
        return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
      });
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${meta.join(',')}}`);
  }
  for (const e of entries) {
    parts.push(
      `${JSON.stringify(e.key)}:{"dtype":"${e.fileDType}","shape":[${e.shape.join(',')}],"data_offsets":[${e.begin},${e.end}]}`,
    );
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.byteLength / HEADER_LENGTH_BYTES) * HEADER_LENGTH_BYTES;
  if (padded > HEADER_MAX_BYTES) {
    throw new EveError(`safetensors: header of ${padded} bytes exceeds the ${HEADER_MAX_BYTES}-byte limit`);
  }
  const bytes = new Uint8Array(HEADER_LENGTH_BYTES + padded).fill(0x20, HEADER_LENGTH_BYTES + json.byteLength);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true);
  bytes.set(json, HEADER_LENGTH_BYTES);
  return { bytes, entries, dataByteLength: offset };
}

/** Orders strings by their UTF-8 bytes, as Rust's `str` ordering does (JS `<` compares UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function isByteCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function jsonKind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${JSON.stringify(x)}`;
}
