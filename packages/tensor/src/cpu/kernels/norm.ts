/** CPU layerNorm / rmsNorm over the last axis (statistics in float64). */
import type { KernelConfig } from '../../kernel-registry.js';
import type { NormAttrs } from '../../ops/norm.js';
import { sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';

const layerNorm: KernelConfig<NormAttrs> = {
  op: 'layerNorm',
  backend: 'cpu',
  run: ({ inputs: [x, w, b], attrs: { eps } }) => {
    const xd = x!.storage as Float32Array;
    const wd = w!.storage as Float32Array;
    const bd = b!.storage as Float32Array;
    const d = x!.shape[x!.shape.length - 1]!;
    const rows = sizeOf(x!.shape) / d;
    const out = takeHostArray('f32', rows * d);
    for (let r = 0; r < rows; r++) {
      const o = x!.offset + r * d;
      let mean = 0;
      for (let i = 0; i < d; i++) mean += xd[o + i]!;
      mean /= d;
      let v = 0;
      for (let i = 0; i < d; i++) v += (xd[o + i]! - mean) ** 2;
      const rstd = 1 / Math.sqrt(v / d + eps);
      for (let i = 0; i < d; i++) out[r * d + i] = (xd[o + i]! - mean) * rstd * wd[w!.offset + i]! + bd[b!.offset + i]!;
    }
    return [out];
  },
};

const rmsNorm: KernelConfig<NormAttrs> = {
  op: 'rmsNorm',
  backend: 'cpu',
  run: ({ inputs: [x, w], attrs: { eps } }) => {
    const xd = x!.storage as Float32Array;
    const wd = w!.storage as Float32Array;
    const d = x!.shape[x!.shape.length - 1]!;
    const rows = sizeOf(x!.shape) / d;
    const out = takeHostArray('f32', rows * d);
    for (let r = 0; r < rows; r++) {
      const o = x!.offset + r * d;
      let ss = 0;
      for (let i = 0; i < d; i++) ss += xd[o + i]! * xd[o + i]!;
      // Llama rounds the normalised activations to f32 before scaling by the weight.
      const rr = 1 / Math.sqrt(ss / d + eps);
      for (let i = 0; i < d; i++) out[r * d + i] = Math.fround(xd[o + i]! * rr) * wd[w!.offset + i]!;
    }
    return [out];
  },
};

export const normKernels = [layerNorm, rmsNorm] as KernelConfig[];
