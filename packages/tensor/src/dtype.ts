/**
 * Data types: the storage dtypes a tensor can have and their exact conversions.
 *
 * f32 is the compute dtype. f16 and bf16 are storage dtypes (weights, checkpoints) converted with
 * IEEE-754 round-to-nearest-even, exactly as PyTorch's `.to(torch.float16 / torch.bfloat16)`.
 * This file does not know about backends or ops.
 */

/** Every dtype a tensor can be stored in. */
export type DType = 'f32' | 'f16' | 'bf16' | 'i32' | 'u8' | 'bool';

/** The dtypes that hold real numbers. */
export type FloatDType = 'f32' | 'f16' | 'bf16';

export const DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'i32', 'u8', 'bool'];

/** The host array type that holds each dtype's raw values (f16/bf16 as their 16-bit patterns). */
export interface HostArrayOf {
  f32: Float32Array;
  f16: Uint16Array;
  bf16: Uint16Array;
  i32: Int32Array;
  u8: Uint8Array;
  bool: Uint8Array;
}
export type HostArray = HostArrayOf[DType];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloatDType(d: DType): d is FloatDType {
  return d === 'f32' || d === 'f16' || d === 'bf16';
}

export function bytesPerElement(d: DType): number {
  switch (d) {
    case 'f32':
    case 'i32':
      return 4;
    case 'f16':
    case 'bf16':
      return 2;
    case 'u8':
    case 'bool':
      return 1;
  }
}

/** Allocates a zeroed host array of `size` elements for `dtype`. */
export function allocHostArray<D extends DType>(dtype: D, size: number): HostArrayOf[D];
export function allocHostArray(dtype: DType, size: number): HostArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(size);
    case 'f16':
    case 'bf16':
      return new Uint16Array(size);
    case 'i32':
      return new Int32Array(size);
    case 'u8':
    case 'bool':
      return new Uint8Array(size);
  }
}

/** Views raw little-endian bytes as the host array of `dtype` (copying only if unaligned). */
export function hostArrayFromBytes(dtype: DType, bytes: Uint8Array): HostArray {
  const bpe = bytesPerElement(dtype);
  if (bytes.byteLength % bpe !== 0) {
    throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
  const aligned = bytes.byteOffset % bpe === 0 ? bytes : bytes.slice();
  const n = aligned.byteLength / bpe;
  switch (dtype) {
    case 'f32':
      return new Float32Array(aligned.buffer, aligned.byteOffset, n);
    case 'f16':
    case 'bf16':
      return new Uint16Array(aligned.buffer, aligned.byteOffset, n);
    case 'i32':
      return new Int32Array(aligned.buffer, aligned.byteOffset, n);
    case 'u8':
    case 'bool':
      return new Uint8Array(aligned.buffer, aligned.byteOffset, n);
  }
}

// One shared scratch word for bit-level float reinterpretation.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** f32 → bf16 bit pattern, round-to-nearest-even; NaN stays a (quiet) NaN. */
export function f32ToBf16Bits(x: number): number {
  scratchF32[0] = x;
  const bits = scratchU32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) {
    return ((bits >>> 16) | 0x0040) & 0xffff; // keep sign, force a quiet NaN
  }
  const lsb = (bits >>> 16) & 1;
  return ((bits + 0x7fff + lsb) >>> 16) & 0xffff;
}

export function bf16BitsToF32(h: number): number {
  scratchU32[0] = (h & 0xffff) << 16;
  return scratchF32[0]!;
}

/**
 * f32 → IEEE binary16 bit pattern, round-to-nearest-even, with subnormals, overflow to ±inf and
 * NaN preserved. The input is first rounded to f32 (as a Float32Array store does), so a JS double
 * converts exactly as torch converts the f32 value.
 */
export function f32ToF16Bits(x: number): number {
  scratchF32[0] = x;
  const bits = scratchU32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x007fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x0200 : 0);
  // Unbiased exponent, rebias for half.
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit bit, round to nearest even.
    if (e < -10) return sign; // too small even for the smallest subnormal after rounding
    mant |= 0x00800000;
    const shift = 14 - e; // 14..24
    const half = 1 << (shift - 1);
    const rem = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rem > half || (rem === half && (m & 1) === 1)) m += 1;
    return sign | m;
  }
  // Normal: 23-bit mantissa to 10 bits, RNE; a mantissa carry rolls into the exponent correctly.
  const rem = mant & 0x1fff;
  let h = (e << 10) | (mant >>> 13);
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h += 1;
  return sign | h; // h may become 0x7c00 (inf) on carry, which is the right answer
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x03ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

let f16Table: Float32Array | undefined;

/**
 * Every f16 bit pattern's f32 value (256 KiB, built once): hot loops that decode many f16 values
 * (f16 weights staged for the WASM matmul, block scales of quantised weights) read this table.
 */
export function f16ToF32Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32(h);
  }
  return f16Table;
}

/** Converts a host array of one dtype to another (float ↔ int truncates toward zero like torch). */
export function convertHostArray(src: HostArray, from: DType, to: DType): HostArray {
  const n = src.length;
  if (from === to) return src.slice();
  const out = allocHostArray(to, n);
  const read = hostReader(src, from);
  switch (to) {
    case 'f32': {
      const o = out as Float32Array;
      for (let i = 0; i < n; i++) o[i] = read(i);
      break;
    }
    case 'f16': {
      const o = out as Uint16Array;
      for (let i = 0; i < n; i++) o[i] = f32ToF16Bits(read(i));
      break;
    }
    case 'bf16': {
      const o = out as Uint16Array;
      for (let i = 0; i < n; i++) o[i] = f32ToBf16Bits(read(i));
      break;
    }
    case 'i32': {
      const o = out as Int32Array;
      for (let i = 0; i < n; i++) o[i] = Math.trunc(read(i));
      break;
    }
    case 'u8': {
      const o = out as Uint8Array;
      for (let i = 0; i < n; i++) o[i] = Math.trunc(read(i)) & 0xff;
      break;
    }
    case 'bool': {
      const o = out as Uint8Array;
      for (let i = 0; i < n; i++) o[i] = read(i) !== 0 ? 1 : 0;
      break;
    }
  }
  return out;
}

/** A function that reads element i of a host array as a JS number (decoding f16/bf16). */
export function hostReader(src: HostArray, dtype: DType): (i: number) => number {
  if (dtype === 'f16') return (i) => f16BitsToF32(src[i]!);
  if (dtype === 'bf16') return (i) => bf16BitsToF32(src[i]!);
  return (i) => src[i]!;
}

/** Decodes any host array to Float32Array (f16/bf16 decoded, ints converted). */
export function toFloat32Array(src: HostArray, dtype: DType): Float32Array {
  if (dtype === 'f32') return src as Float32Array;
  return convertHostArray(src, dtype, 'f32') as Float32Array;
}
