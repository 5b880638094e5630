/**
 * CPU kernel of `adamwStep`: the whole AdamW update in one pass. Every intermediate goes through
 * Math.fround where the composed update stores an f32 tensor (and the scalars are f32, as the
 * composed update's scalar tensors are), so both give bit-identical weights.
 */
import type { KernelConfig } from '../../kernel-registry.js';
import type { AdamWStepAttrs } from '../../ops/adamw-step.js';
import { sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';

const f = Math.fround;

export const adamwStepKernel: KernelConfig<AdamWStepAttrs> = {
  op: 'adamwStep',
  backend: 'cpu',
  run: ({ inputs: [pv, gv, mv, vv], attrs: a }) => {
    const n = sizeOf(pv!.shape);
    const p = pv!.storage as Float32Array;
    const g = gv!.storage as Float32Array;
    const m = mv!.storage as Float32Array;
    const v = vv!.storage as Float32Array;
    const [po, go, mo, vo] = [pv!.offset, gv!.offset, mv!.offset, vv!.offset];
    const outP = takeHostArray('f32', n) as Float32Array;
    const outM = takeHostArray('f32', n) as Float32Array;
    const outV = takeHostArray('f32', n) as Float32Array;
    const decay = a.weightDecay !== 0;
    const keep = f(1 - a.lr * a.weightDecay);
    const b1 = f(a.beta1);
    const c1 = f(1 - a.beta1);
    const b2 = f(a.beta2);
    const c2 = f(1 - a.beta2);
    const sqrtBc2 = f(Math.sqrt(a.bc2));
    const eps = f(a.eps);
    const stepSize = f(a.lr / a.bc1);
    for (let i = 0; i < n; i++) {
      const gi = g[go + i]!;
      const pi = decay ? f(p[po + i]! * keep) : p[po + i]!;
      const mi = f(f(m[mo + i]! * b1) + f(gi * c1));
      const vi = f(f(v[vo + i]! * b2) + f(f(gi * gi) * c2));
      const denom = f(f(f(Math.sqrt(vi)) / sqrtBc2) + eps);
      outP[i] = pi - f(f(mi / denom) * stepSize);
      outM[i] = mi;
      outV[i] = vi;
    }
    return [outP, outM, outV];
  },
};
