/**
 * Seeded random inputs for tests: float64 arrays whose values are exactly representable in the
 * dtype the tensor will be stored in, so the float64 reference sees the very values the kernel
 * sees and any difference is the kernel's arithmetic, not input rounding.
 */
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits, type FloatDType } from '../dtype.js';
import { Rng } from '../rng.js';
import { sizeOf } from '../shape.js';
import { type Nd, nd } from './nd.js';

export { Rng };

export interface RandomArrayOptions {
  /** Uniform range (default [-1, 1)). */
  low?: number;
  high?: number;
  /** The values are rounded to this dtype (default f32). */
  dtype?: FloatDType;
}

/** Rounds a number to the nearest value of a float dtype (RNE). */
export function roundTo(x: number, dtype: FloatDType): number {
  if (dtype === 'f16') return f16BitsToF32(f32ToF16Bits(x));
  if (dtype === 'bf16') return bf16BitsToF32(f32ToBf16Bits(x));
  return Math.fround(x);
}

/** Uniform random values of `shape`, rounded to `dtype`. */
export function randomArray(shape: readonly number[], rng: Rng, opts: RandomArrayOptions = {}): Nd {
  const low = opts.low ?? -1;
  const high = opts.high ?? 1;
  const dtype = opts.dtype ?? 'f32';
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = roundTo(low + (high - low) * rng.uniform(), dtype);
  return nd(shape, data);
}

/** Random integers in [0, n) of `shape` (indices, targets). */
export function randomInts(shape: readonly number[], n: number, rng: Rng): Nd {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.int(n);
  return nd(shape, data);
}
