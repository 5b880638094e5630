/**
 * Reductions over axes: sum, max, mean, and argmax; plus `sumToShape`, which reduces a broadcast
 * gradient back to an input's shape. Kernels reduce contiguous inputs over a sorted axis list.
 */
import { engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import { defineOp, type OpDef } from '../op.js';
import { normalizeAxes, normalizeAxis, shapesEqual, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { div, equal, cast, mul } from './elementwise.js';
import { broadcastTo, reshape } from './views.js';
import { requireDType } from './util.js';

export interface ReduceAttrs {
  /** Sorted, non-negative axes to reduce. */
  axes: readonly number[];
  keepDims: boolean;
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** dy of a reduction, broadcast back over the reduced axes of `shape`. */
function expandGrad(dy: Tensor, shape: readonly number[], axes: readonly number[]): Tensor {
  const kept = reshape(dy, reducedShape(shape, axes, true));
  return broadcastTo(kept, shape);
}

function reduceOp(name: 'sum' | 'max', grad: OpDef<ReduceAttrs>['grad']): OpDef<ReduceAttrs> {
  return defineOp<ReduceAttrs>({
    name,
    infer: ([x], { axes, keepDims }) => {
      requireDType(name, x!, name === 'sum' ? ['f32', 'i32'] : ['f32', 'i32']);
      if (name === 'max' && axes.some((a) => x!.shape[a] === 0)) throw new ShapeError('max: cannot reduce an empty axis');
      return [{ shape: reducedShape(x!.shape, axes, keepDims), dtype: x!.dtype }];
    },
    grad,
  });
}

export const sumOp = reduceOp('sum', ({ inputs: [x], attrs, dys: [dy] }) => [expandGrad(dy!, x!.shape, attrs.axes)]);
// The gradient of max is shared equally among tied maxima (torch.amax's convention).
export const maxOp = reduceOp('max', ({ inputs: [x], outputs: [y], attrs, dys: [dy] }) => {
  const yb = expandGrad(y!, x!.shape, attrs.axes);
  const isMax = cast(equal(x!, yb), 'f32');
  const count = sum(isMax, attrs.axes, true);
  return [mul(expandGrad(dy!, x!.shape, attrs.axes), div(isMax, broadcastTo(count, x!.shape)))];
});

/** Sum over `axes` (default all). @example sum(x, -1, true) */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return engine.runOp(sumOp, [x], { axes: normalizeAxes(axes, x.rank, 'sum'), keepDims })[0]!;
}

/** Maximum over `axes` (default all). */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return engine.runOp(maxOp, [x], { axes: normalizeAxes(axes, x.rank, 'max'), keepDims })[0]!;
}

/** Mean over `axes` (default all). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank, 'mean');
  const n = sizeOf(ax.map((a) => x.shape[a]!));
  const s = sum(x, ax, keepDims);
  const out = mul(s, 1 / n);
  s.dispose();
  return out;
}

export interface ArgmaxAttrs {
  axis: number;
}
export const argmaxOp = defineOp<ArgmaxAttrs>({
  name: 'argmax',
  infer: ([x], { axis }) => {
    requireDType('argmax', x!, ['f32', 'i32']);
    return [{ shape: x!.shape.filter((_, i) => i !== axis), dtype: 'i32' }];
  },
});

/** Index of the maximum along `axis` (first one on ties), as i32. No gradient. */
export function argmax(x: Tensor, axis = -1): Tensor {
  return engine.runOp(argmaxOp, [x], { axis: normalizeAxis(axis, x.rank, 'argmax') })[0]!;
}

/** Sums a broadcast gradient back to `shape` (leading axes and size-1 axes). */
export function sumToShape(dy: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  const lead = dy.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && dy.shape[i] !== 1)) axes.push(i);
  }
  const s = sum(dy, axes, true);
  const out = reshape(s, shape);
  s.dispose();
  return out;
}
