/** CPU softmax / logSoftmax along one axis of a contiguous input (max-subtracted, f64 sums). */
import type { KernelConfig } from '../../kernel-registry.js';
import type { AxisAttrs } from '../../ops/softmax.js';
import { sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';

function softmaxKernel(op: 'softmax' | 'logSoftmax'): KernelConfig<AxisAttrs> {
  return {
    op,
    backend: 'cpu',
    run: ({ inputs: [x], attrs: { axis } }) => {
      const data = x!.storage as Float32Array;
      const len = x!.shape[axis]!;
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const outer = sizeOf(x!.shape.slice(0, axis));
      const out = takeHostArray('f32', sizeOf(x!.shape));
      if (inner === 1 && op === 'softmax') {
        // Last axis: each exp once, kept in float64 for the division (same values as below).
        const e = new Float64Array(len);
        for (let a = 0; a < outer; a++) {
          const base = x!.offset + a * len;
          let m = -Infinity;
          for (let i = 0; i < len; i++) m = Math.max(m, data[base + i]!);
          let s = 0;
          for (let i = 0; i < len; i++) s += e[i] = Math.exp(data[base + i]! - m);
          for (let i = 0; i < len; i++) out[a * len + i] = e[i]! / s;
        }
        return [out];
      }
      for (let a = 0; a < outer; a++) {
        for (let b = 0; b < inner; b++) {
          const base = a * len * inner + b;
          let m = -Infinity;
          for (let i = 0; i < len; i++) m = Math.max(m, data[x!.offset + base + i * inner]!);
          let s = 0;
          for (let i = 0; i < len; i++) s += Math.exp(data[x!.offset + base + i * inner]! - m);
          if (op === 'softmax') {
            for (let i = 0; i < len; i++) out[base + i * inner] = Math.exp(data[x!.offset + base + i * inner]! - m) / s;
          } else {
            const lse = m + Math.log(s);
            for (let i = 0; i < len; i++) out[base + i * inner] = data[x!.offset + base + i * inner]! - lse;
          }
        }
      }
      return [out];
    },
  };
}

export const softmaxKernels = [softmaxKernel('softmax'), softmaxKernel('logSoftmax')] as KernelConfig[];
