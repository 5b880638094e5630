/**
 * Helpers shared by op declarations: turning numbers into scalar tensors, dtype checks, and
 * reducing a broadcast gradient back to an input's shape.
 */
import type { DType } from '../dtype.js';
import { engine } from '../engine.js';
import { DTypeError } from '../errors.js';
import { allocHostArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';

/** A tensor or a plain number (made into a scalar of the other operand's dtype and backend). */
export type TensorLike = Tensor | number;

export function asTensor(x: TensorLike, like: Tensor): Tensor {
  if (typeof x !== 'number') return x;
  const a = allocHostArray(like.dtype === 'bool' ? 'f32' : like.dtype, 1);
  a[0] = x;
  return engine.fromHost(a, [], like.dtype === 'bool' ? 'f32' : like.dtype, like.backend);
}

export function requireDType(op: string, t: Tensor, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) {
    throw new DTypeError(`${op}: expected ${allowed.join(' or ')}, got ${t.dtype}${t.dtype === 'f16' || t.dtype === 'bf16' ? ' (cast storage dtypes to f32 first)' : ''}`);
  }
}

export function requireSameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}: dtypes differ (${a.dtype} and ${b.dtype})`);
}
