/**
 * CPU kernel of `adamwStep`: the whole AdamW update in one pass, with WebAssembly SIMD where it
 * runs (matmul.wat's `adamw`: f32 operations, four lanes at a time), else a TypeScript loop in
 * which every intermediate goes through Math.fround. Both round where the composed update stores
 * an f32 tensor (and its scalars are f32, as the composed update's scalar tensors are); an f32
 * operation and an f64 one rounded to f32 agree for +, −, ×, ÷ and √ of f32 values, so all three
 * give bit-identical weights.
 */
import type { KernelConfig } from '../../kernel-registry.js';
import type { AdamWStepAttrs } from '../../ops/adamw-step.js';
import { sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';
import { adamwWasm } from '../wasm/wasm-matmul.js';

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
    const scalars = { decay, keep, b1, c1, b2, c2, sqrtBc2, eps, step: stepSize };
    if (adamwWasm({ p, g, m, v, offsets: [po, go, mo, vo] }, n, scalars, { p: outP, m: outM, v: outV })) return [outP, outM, outV];
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
