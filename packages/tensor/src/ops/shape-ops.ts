/**
 * Ops that assemble tensors: concat, stack, pad. Their gradients are slices (and pads).
 */
import { engine } from '../engine.js';
import { DTypeError, ShapeError } from '../errors.js';
import { defineOp } from '../op.js';
import { normalizeAxis, shapeStr } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { sliceAxis, slice, unsqueeze } from './views.js';

export interface ConcatAttrs {
  axis: number;
}

export const concatOp = defineOp<ConcatAttrs>({
  name: 'concat',
  infer: (xs, { axis }) => {
    const first = xs[0]!;
    let total = 0;
    for (const x of xs) {
      if (x.dtype !== first.dtype) throw new DTypeError(`concat: dtypes differ (${first.dtype}, ${x.dtype})`);
      if (x.rank !== first.rank || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new ShapeError(`concat: ${shapeStr(x.shape)} does not match ${shapeStr(first.shape)} off axis ${axis}`);
      }
      total += x.shape[axis]!;
    }
    return [{ shape: first.shape.map((d, i) => (i === axis ? total : d)), dtype: first.dtype }];
  },
  grad: ({ inputs, attrs: { axis }, dys: [dy] }) => {
    let start = 0;
    return inputs.map((x) => {
      const end = start + x.shape[axis]!;
      const g = sliceAxis(dy!, axis, start, end);
      start = end;
      return g;
    });
  },
});

/** Joins tensors along an existing axis. @example concat([a, b], -1) */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ShapeError('concat: no tensors');
  return engine.runOp(concatOp, xs, { axis: normalizeAxis(axis, xs[0]!.rank, 'concat') })[0]!;
}

/** Joins tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ShapeError('stack: no tensors');
  const a = normalizeAxis(axis, xs[0]!.rank + 1, 'stack');
  const parts = xs.map((x) => unsqueeze(x, a));
  const out = concat(parts, a);
  for (const p of parts) p.dispose();
  return out;
}

export interface PadAttrs {
  /** [before, after] per axis. */
  pads: readonly (readonly [number, number])[];
  value: number;
}

export const padOp = defineOp<PadAttrs>({
  name: 'pad',
  infer: ([x], { pads }) => {
    if (pads.length !== x!.rank || pads.some(([b, a]) => b < 0 || a < 0)) {
      throw new ShapeError(`pad: need one non-negative [before, after] pair per axis of ${shapeStr(x!.shape)}`);
    }
    return [{ shape: x!.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]), dtype: x!.dtype }];
  },
  grad: ({ inputs: [x], attrs: { pads }, dys: [dy] }) => [slice(dy!, pads.map(([b]) => b), x!.shape)],
});

/**
 * Pads with a constant. Pairs may be given for the last axes only (missing leading axes get 0).
 * @example pad(x, [[0, 0], [1, 2]]) // one row before, two after, on the last axis of a 2-D x
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  const full = [...Array.from({ length: x.rank - pads.length }, () => [0, 0] as const), ...pads];
  return engine.runOp(padOp, [x], { pads: full, value })[0]!;
}
