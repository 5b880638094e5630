/**
 * CPU reductions over a sorted axis list of a contiguous input: sum (accumulated in float64),
 * max, and argmax along one axis.
 */
import type { HostArray } from '../../dtype.js';
import { takeHostArray } from '../host-pool.js';
import type { KernelConfig } from '../../kernel-registry.js';
import type { ArgmaxAttrs, ReduceAttrs } from '../../ops/reduce.js';
import { contiguousStrides, sizeOf } from '../../shape.js';

/** For each input element (row-major), the index of the output element it reduces into. */
function outputIndex(shape: readonly number[], axes: readonly number[]): Int32Array {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const os = contiguousStrides(keptShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    out[i] = o;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]!++;
      o += os[d]!;
      if (idx[d]! < shape[d]!) break;
      o -= os[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * The input shape seen as [outer, len, inner] with the reduced axes forming the middle block
 * (size-1 axes dropped, adjacent kept or reduced axes merged), or null when reduced and kept axes
 * interleave more than that (the general path then indexes every element).
 */
function reduceBlocks(shape: readonly number[], axes: readonly number[]): { outer: number; len: number; inner: number } | null {
  let outer = 1;
  let len = 1;
  let inner = 1;
  // 0: before the reduced block, 1: inside it, 2: after it
  let phase = 0;
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const reduced = axes.includes(d);
    if (phase === 0 && reduced) phase = 1;
    else if (phase === 1 && !reduced) phase = 2;
    else if (phase === 2 && reduced) return null;
    if (phase === 0) outer *= size;
    else if (phase === 1) len *= size;
    else inner *= size;
  }
  return { outer, len, inner };
}

const sum: KernelConfig<ReduceAttrs> = {
  op: 'sum',
  backend: 'cpu',
  run: ({ inputs: [x], attrs, outputs: [o] }) => {
    const data = x!.storage as HostArray;
    const n = sizeOf(x!.shape);
    const base = x!.offset;
    const m = sizeOf(o!.shape);
    const out = takeHostArray(o!.dtype, m);
    const blocks = reduceBlocks(x!.shape, attrs.axes);
    if (blocks && m > 0) {
      // Accumulated in float64 (a JS number, or a Float64Array row), rounded once at the end.
      const { outer, len, inner } = blocks;
      if (inner === 1) {
        for (let a = 0; a < outer; a++) {
          let s = 0;
          for (let i = 0, p = base + a * len; i < len; i++, p++) s += data[p]!;
          out[a] = s;
        }
      } else {
        const acc = new Float64Array(inner);
        for (let a = 0; a < outer; a++) {
          acc.fill(0);
          for (let i = 0, p = base + a * len * inner; i < len; i++, p += inner) {
            for (let j = 0; j < inner; j++) acc[j]! += data[p + j]!;
          }
          for (let j = 0; j < inner; j++) out[a * inner + j] = acc[j]!;
        }
      }
      return [out];
    }
    const acc = new Float64Array(m);
    const oi = outputIndex(x!.shape, attrs.axes);
    for (let i = 0; i < n; i++) acc[oi[i]!]! += data[base + i]!;
    for (let i = 0; i < m; i++) out[i] = acc[i]!;
    return [out];
  },
};

const max: KernelConfig<ReduceAttrs> = {
  op: 'max',
  backend: 'cpu',
  run: ({ inputs: [x], attrs, outputs: [o] }) => {
    const data = x!.storage as HostArray;
    const n = sizeOf(x!.shape);
    const base = x!.offset;
    const out = takeHostArray(o!.dtype, sizeOf(o!.shape));
    out.fill(o!.dtype === 'i32' ? -2147483648 : -Infinity);
    const blocks = reduceBlocks(x!.shape, attrs.axes);
    if (blocks && sizeOf(o!.shape) > 0) {
      const { outer, len, inner } = blocks;
      for (let a = 0; a < outer; a++) {
        for (let i = 0, p = base + a * len * inner; i < len; i++, p += inner) {
          for (let j = 0, q = a * inner; j < inner; j++, q++) {
            const v = data[p + j]!;
            if (v > out[q]! || Number.isNaN(v)) out[q] = v;
          }
        }
      }
      return [out];
    }
    const oi = outputIndex(x!.shape, attrs.axes);
    for (let i = 0; i < n; i++) {
      const v = data[base + i]!;
      const j = oi[i]!;
      if (v > out[j]! || Number.isNaN(v)) out[j] = v;
    }
    return [out];
  },
};

const argmax: KernelConfig<ArgmaxAttrs> = {
  op: 'argmax',
  backend: 'cpu',
  run: ({ inputs: [x], attrs: { axis }, outputs: [o] }) => {
    const data = x!.storage as HostArray;
    const len = x!.shape[axis]!;
    const inner = sizeOf(x!.shape.slice(axis + 1));
    const outer = sizeOf(x!.shape.slice(0, axis));
    const out = new Int32Array(sizeOf(o!.shape));
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < inner; b++) {
        let best = -Infinity;
        let bi = 0;
        for (let i = 0; i < len; i++) {
          const v = data[x!.offset + (a * len + i) * inner + b]!;
          if (v > best) {
            best = v;
            bi = i;
          }
        }
        out[a * inner + b] = bi;
      }
    }
    return [out];
  },
};

export const reduceKernels = [sum, max, argmax] as KernelConfig[];
