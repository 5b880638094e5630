/**
 * Shape arithmetic shared by op declarations and kernels: sizes, strides, broadcasting, axes.
 * Pure functions on number arrays; nothing here allocates tensors.
 */
import { ShapeError } from './errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides of a shape, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of any number of shapes. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else if (out[o] !== d) {
        throw new ShapeError(`shapes ${shapeStr(shapes[0]!)} and ${shapeStr(s)} cannot broadcast`);
      }
    }
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if broadcast to `target` (0 on new dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = target.length - shape.length + i;
    out[o] = shape[i] === 1 && target[o] !== 1 ? 0 : strides[i]!;
  }
  return out;
}

/** Resolves a possibly negative axis against a rank; throws a ShapeError naming the op. */
export function normalizeAxis(axis: number, rank: number, op = 'op'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/** Normalises an axis list (undefined = all axes), sorted and de-duplicated. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, op = 'op'): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = [...new Set(list.map((a) => normalizeAxis(a, rank, op)))];
  return out.sort((x, y) => x - y);
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Resolves one `-1` in a reshape target against the element count. */
export function inferReshape(shape: Shape, size: number): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (unknown >= 0) {
    const known = sizeOf(out.filter((_, i) => i !== unknown));
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`reshape: cannot infer -1 in ${shapeStr(shape)} for ${size} elements`);
    }
    out[unknown] = size / known;
  }
  if (sizeOf(out) !== size || out.some((d) => d < 0 || !Number.isInteger(d))) {
    throw new ShapeError(`reshape: ${size} elements cannot have shape ${shapeStr(shape)}`);
  }
  return out;
}
