/**
 * `Nd`: a plain float64 n-d array (row-major data plus shape) for reference computations in tests.
 * Deliberately minimal and independent of the engine: no strides, no views, no backends. Index
 * helpers convert between flat and multi-indices with explicit shape arithmetic.
 */
import { contiguousStrides, sizeOf } from '../shape.js';

export interface Nd {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Makes an Nd; `data` defaults to zeros and is copied into a Float64Array. */
export function nd(shape: readonly number[], data?: ArrayLike<number>): Nd {
  const n = sizeOf(shape);
  const d = new Float64Array(n);
  if (data) {
    if (data.length !== n) throw new Error(`nd: ${data.length} values for shape [${shape.join(', ')}]`);
    for (let i = 0; i < n; i++) d[i] = data[i]!;
  }
  return { shape: [...shape], data: d };
}

/** The multi-index of flat index `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    idx[d] = flat % s;
    flat = Math.floor(flat / s);
  }
  return idx;
}

/** The flat index of multi-index `idx` in `shape`. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  const strides = contiguousStrides(shape);
  let o = 0;
  for (let d = 0; d < shape.length; d++) o += idx[d]! * strides[d]!;
  return o;
}

/** Reads `x` at an output multi-index under NumPy broadcasting (right-aligned, size-1 repeats). */
export function readBroadcast(x: Nd, outIdx: readonly number[]): number {
  const lead = outIdx.length - x.shape.length;
  let o = 0;
  let stride = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    const s = x.shape[d]!;
    o += (s === 1 ? 0 : outIdx[d + lead]!) * stride;
    stride *= s;
  }
  return x.data[o]!;
}
