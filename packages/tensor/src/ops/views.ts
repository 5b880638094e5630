/**
 * View ops: reshape, permute/transpose, slice, broadcastTo, squeeze/unsqueeze. They share the
 * input's storage (no kernel runs); gradients are the inverse views. `contiguous` is the one
 * kernel here: a strided copy every backend implements, used whenever a kernel needs dense input.
 */
import { engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import { defineOp } from '../op.js';
import {
  broadcastShapes,
  broadcastStrides,
  contiguousStrides,
  inferReshape,
  normalizeAxis,
  shapesEqual,
  shapeStr,
} from '../shape.js';
import type { Tensor } from '../tensor.js';
import { pad } from './shape-ops.js';
import { sumToShape } from './reduce.js';

export const contiguousOp = defineOp<Record<string, never>>({
  name: 'contiguous',
  stridedInputs: true,
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  grad: ({ dys }) => [dys[0]!],
});

/** A dense row-major copy if `x` is a strided view; otherwise a view of the same storage. */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous) return engine.runOp(reshapeOp, [x], { shape: x.shape })[0]!;
  return engine.runOp(contiguousOp, [x], {})[0]!;
}

interface ReshapeAttrs {
  shape: readonly number[];
}
const reshapeOp = defineOp<ReshapeAttrs>({
  name: 'reshape',
  infer: ([x], { shape }) => [{ shape, dtype: x!.dtype }],
  view: (x, { shape }) => ({ shape, strides: contiguousStrides(shape), offset: x.offset }),
  grad: ({ inputs: [x], dys: [dy] }) => [reshape(dy!, x!.shape)],
});

/** Same values, new shape (one dimension may be -1). Copies only if `x` is not contiguous. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferReshape(shape, x.size);
  if (x.isContiguous) return engine.runOp(reshapeOp, [x], { shape: target })[0]!;
  const c = engine.runOp(contiguousOp, [x], {})[0]!;
  const out = engine.runOp(reshapeOp, [c], { shape: target })[0]!;
  c.dispose();
  return out;
}

interface PermuteAttrs {
  perm: readonly number[];
}
const permuteOp = defineOp<PermuteAttrs>({
  name: 'permute',
  infer: ([x], { perm }) => {
    if (perm.length !== x!.rank || new Set(perm).size !== perm.length || perm.some((p) => p < 0 || p >= x!.rank)) {
      throw new ShapeError(`permute: [${perm.join(', ')}] is not a permutation of ${x!.rank} axes`);
    }
    return [{ shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype }];
  },
  view: (x, { perm }) => ({ shape: perm.map((p) => x.shape[p]!), strides: perm.map((p) => x.strides[p]!), offset: x.offset }),
  grad: ({ attrs: { perm }, dys: [dy] }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [permute(dy!, inv)];
  },
});

/** Reorders axes (a view). @example permute(x, [0, 2, 1, 3]) */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  return engine.runOp(permuteOp, [x], { perm: perm.map((p) => normalizeAxis(p, x.rank, 'permute')) })[0]!;
}

/** Swaps two axes (default: the last two). */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  const a = normalizeAxis(axis0, x.rank, 'transpose');
  const b = normalizeAxis(axis1, x.rank, 'transpose');
  const perm = Array.from({ length: x.rank }, (_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

interface SliceAttrs {
  begin: readonly number[];
  size: readonly number[];
}
const sliceOp = defineOp<SliceAttrs>({
  name: 'slice',
  infer: ([x], { begin, size }) => {
    x!.shape.forEach((d, i) => {
      if (begin[i]! < 0 || size[i]! < 0 || begin[i]! + size[i]! > d) {
        throw new ShapeError(`slice: begin [${begin.join(', ')}] size [${size.join(', ')}] is outside ${shapeStr(x!.shape)}`);
      }
    });
    return [{ shape: size, dtype: x!.dtype }];
  },
  view: (x, { begin, size }) => ({
    shape: size,
    strides: x.strides,
    offset: x.offset + begin.reduce((o, b, i) => o + b * x.strides[i]!, 0),
  }),
  grad: ({ inputs: [x], attrs: { begin, size }, dys: [dy] }) => [
    pad(dy!, x!.shape.map((d, i) => [begin[i]!, d - begin[i]! - size[i]!] as [number, number])),
  ],
});

/**
 * A rectangular window (a view). `begin` may be negative (from the end); `size` -1 means "to the end".
 * @example slice(x, [0, 2], [-1, 3]) // all rows, columns 2..4
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  if (begin.length > x.rank) throw new ShapeError(`slice: ${begin.length} begins for rank ${x.rank}`);
  const b = x.shape.map((d, i) => {
    const v = begin[i] ?? 0;
    return v < 0 ? v + d : v;
  });
  const s = x.shape.map((d, i) => {
    const v = size?.[i] ?? -1;
    return v === -1 ? d - b[i]! : v;
  });
  return engine.runOp(sliceOp, [x], { begin: b, size: s })[0]!;
}

/** `x[start:end]` along one axis (a view). */
export function sliceAxis(x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = normalizeAxis(axis, x.rank, 'sliceAxis');
  const begin = x.shape.map((_, i) => (i === a ? start : 0));
  const size = x.shape.map((d, i) => (i === a ? end - start : d));
  return engine.runOp(sliceOp, [x], { begin, size })[0]!;
}

interface BroadcastAttrs {
  shape: readonly number[];
}
const broadcastToOp = defineOp<BroadcastAttrs>({
  name: 'broadcastTo',
  infer: ([x], { shape }) => {
    if (!shapesEqual(broadcastShapes(x!.shape, shape), shape)) {
      throw new ShapeError(`broadcastTo: ${shapeStr(x!.shape)} cannot broadcast to ${shapeStr(shape)}`);
    }
    return [{ shape, dtype: x!.dtype }];
  },
  view: (x, { shape }) => ({ shape, strides: broadcastStrides(x.shape, x.strides, shape), offset: x.offset }),
  grad: ({ inputs: [x], dys: [dy] }) => [sumToShape(dy!, x!.shape)],
});

/** Repeats size-1 (or missing leading) axes to `shape` without copying (stride 0). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return engine.runOp(broadcastToOp, [x], { shape })[0]!;
}

/** Inserts a size-1 axis. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.rank + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Removes size-1 axes (all of them, or the given ones). */
export function squeeze(x: Tensor, axes?: readonly number[]): Tensor {
  const drop = new Set(axes?.map((a) => normalizeAxis(a, x.rank, 'squeeze')) ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} has size ${x.shape[a]}`);
  return reshape(x, x.shape.filter((_, i) => !drop.has(i)));
}
