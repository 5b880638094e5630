/**
 * Per-dtype comparison tolerances, starting from PyTorch's defaults
 * (`torch/testing/_comparison.py` `_DTYPE_PRECISIONS`). Anything looser is a named constant
 * here or at the call site, with the reason beside the number. Integer and bool results are exact.
 */
import type { DType } from '../dtype.js';

/** An elementwise bound: an element passes when |actual − expected| ≤ atol + rtol·|expected|. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** torch's `_DTYPE_PRECISIONS`, keyed by our dtype names. */
export const DTYPE_TOLERANCES: Readonly<Record<DType, Tolerance>> = {
  f32: { rtol: 1.3e-6, atol: 1e-5 },
  f16: { rtol: 1e-3, atol: 1e-5 },
  bf16: { rtol: 1.6e-2, atol: 1e-5 },
  i32: { rtol: 0, atol: 0 },
  u8: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/** The default tolerance for results of `dtype`. */
export function toleranceFor(dtype: DType): Tolerance {
  return { ...DTYPE_TOLERANCES[dtype] };
}

/**
 * Analytic f32 gradients against central differences of the float64 reference. Looser than
 * f32's forward bound because a gradient is a chain of several f32 ops (each rounds), and the
 * numeric side carries O(h²) truncation error; 1e-4 is still ~1000× tighter than any wrong
 * formula we have seen (a missing factor or sign shows up as O(1) relative error).
 */
export const GRAD_TOLERANCE: Readonly<Tolerance> = { rtol: 1e-4, atol: 1e-5 };
