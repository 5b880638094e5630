/**
 * Turning a tensor's bytes from a file into the host array of an evejs dtype.
 *
 * Bytes are little-endian as the format requires (and as typed arrays are on every platform
 * Node and browsers run on). I64 has no evejs dtype: it narrows to i32, and a value outside the
 * i32 range is an error naming the tensor, never a silent wrap. Other conversions (bf16 → f32
 * while loading, say) use the engine's exact host conversions.
 */
import { convertHostArray, type DType, type HostArray, hostArrayFromBytes } from '../dtype.js';
import { DTypeError, FormatError } from '../errors.js';
import { dtypeOfFileDType, type FileDType } from './file-dtype.js';

/**
 * Decodes `bytes` holding `fileDType` elements into the host array of `target` (default: the
 * dtype the file dtype maps to). `file` and `key` name the tensor in errors.
 * The result may view `bytes`' memory (no copy) when no conversion is needed.
 */
export function decodeTensorBytes(
  file: string,
  key: string,
  bytes: Uint8Array,
  fileDType: FileDType,
  target?: DType,
): { data: HostArray; dtype: DType } {
  const native = dtypeOfFileDType(fileDType);
  if (native === null) throw unreadableDTypeError(file, key, fileDType);
  const data = fileDType === 'I64' ? narrowI64ToI32(file, key, bytes) : hostArrayFromBytes(native, bytes);
  const dtype = target ?? native;
  return { data: dtype === native ? data : convertHostArray(data, native, dtype), dtype };
}

/** The error for reading a tensor whose file dtype has no evejs dtype (F64, I8, F8_E4M3, …). */
export function unreadableDTypeError(file: string, key: string, fileDType: FileDType): DTypeError {
  return new DTypeError(`${file}: tensor "${key}" has dtype ${fileDType}, which evejs cannot read (readRaw gives its bytes)`);
}

/** Little-endian i64 → Int32Array, refusing any value outside [-2^31, 2^31). */
export function narrowI64ToI32(file: string, key: string, bytes: Uint8Array): Int32Array {
  if (bytes.byteLength % 8 !== 0) {
    throw new FormatError(file, `tensor "${key}": ${bytes.byteLength} bytes is not a whole number of I64 elements`);
  }
  const words = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const halves = new Int32Array(words.buffer, words.byteOffset, words.byteLength / 4); // (lo, hi) pairs
  const n = halves.length / 2;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = halves[2 * i]!;
    const hi = halves[2 * i + 1]!;
    // The i64 fits in i32 exactly when its high word is the sign extension of the low word.
    if (hi !== lo >> 31) {
      const value = new DataView(words.buffer, words.byteOffset + 8 * i, 8).getBigInt64(0, true);
      throw new DTypeError(`${file}: tensor "${key}" (I64) element ${i} is ${value}, which does not fit in i32`);
    }
    out[i] = lo;
  }
  return out;
}
