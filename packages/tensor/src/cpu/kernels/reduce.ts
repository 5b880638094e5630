/**
 * CPU reductions over a sorted axis list of a contiguous input: sum (accumulated in float64),
 * max, and argmax along one axis.
 */
import { allocHostArray, type HostArray } from '../../dtype.js';
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

const sum: KernelConfig<ReduceAttrs> = {
  op: 'sum',
  backend: 'cpu',
  run: ({ inputs: [x], attrs, outputs: [o] }) => {
    const data = x!.storage as HostArray;
    const n = sizeOf(x!.shape);
    const acc = new Float64Array(sizeOf(o!.shape));
    const oi = outputIndex(x!.shape, attrs.axes);
    for (let i = 0; i < n; i++) acc[oi[i]!]! += data[x!.offset + i]!;
    const out = allocHostArray(o!.dtype, acc.length);
    for (let i = 0; i < acc.length; i++) out[i] = acc[i]!;
    return [out];
  },
};

const max: KernelConfig<ReduceAttrs> = {
  op: 'max',
  backend: 'cpu',
  run: ({ inputs: [x], attrs, outputs: [o] }) => {
    const data = x!.storage as HostArray;
    const n = sizeOf(x!.shape);
    const out = allocHostArray(o!.dtype, sizeOf(o!.shape));
    out.fill(o!.dtype === 'i32' ? -2147483648 : -Infinity);
    const oi = outputIndex(x!.shape, attrs.axes);
    for (let i = 0; i < n; i++) {
      const v = data[x!.offset + i]!;
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
