/**
 * One AdamW update of a parameter as a single op: `adamwStep(param, grad, m, v, attrs)` returns
 * the new parameter and moments. Composed from elementwise ops an update is eleven passes over
 * the parameter, each allocating its result; the CPU kernel does it in one pass.
 *
 * The values are those of the composed update exactly (each intermediate rounded to f32 as the
 * elementwise kernels store it), so a run gives the same weights whichever path it takes. Backends
 * without the kernel (WebGPU, gpu.js, tfjs) get the composed update, on their own device.
 */
import { engine } from '../engine.js';
import { getKernel } from '../kernel-registry.js';
import { defineOp } from '../op.js';
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, div, mul, sqrt, sub } from './elementwise.js';
import { requireDType } from './util.js';

export interface AdamWStepAttrs {
  /** This step's learning rate (schedule applied). */
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
  bc1: number;
  bc2: number;
}

export const adamwStepOp = defineOp<AdamWStepAttrs>({
  name: 'adamwStep',
  infer: (inputs) => {
    const [p] = inputs;
    for (const t of inputs) {
      requireDType('adamwStep', t, ['f32']);
      if (t.size !== p!.size || t.rank !== p!.rank || t.shape.some((d, i) => d !== p!.shape[i])) {
        throw new ShapeError(`adamwStep: parameter, gradient and moments must have one shape`);
      }
    }
    return [0, 1, 2].map(() => ({ shape: p!.shape, dtype: 'f32' as const }));
  },
});

/** The new parameter and moments after one AdamW step (PyTorch's `torch.optim.AdamW`). */
export interface AdamWStepResult {
  param: Tensor;
  m: Tensor;
  v: Tensor;
}

/**
 * p ← p·(1 − lr·wd); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/bc1)·m / (√v/√bc2 + eps).
 * Not differentiable (run it under `noGrad`).
 */
export function adamwStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, attrs: AdamWStepAttrs): AdamWStepResult {
  if (getKernel(param.backend, adamwStepOp.name)) {
    const [p2, m2, v2] = engine.runOp(adamwStepOp, [param, grad, m, v], attrs);
    return { param: p2!, m: m2!, v: v2! };
  }
  return adamwStepComposed(param, grad, m, v, attrs);
}

/** The update from elementwise ops: what backends without the fused kernel run (and its reference). */
export function adamwStepComposed(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, a: AdamWStepAttrs): AdamWStepResult {
  const decayed = a.weightDecay !== 0 ? mul(param, 1 - a.lr * a.weightDecay) : param;
  const m2 = add(mul(m, a.beta1), mul(grad, 1 - a.beta1));
  const v2 = add(mul(v, a.beta2), mul(mul(grad, grad), 1 - a.beta2));
  const denom = add(div(sqrt(v2), Math.sqrt(a.bc2)), a.eps);
  const p2 = sub(decayed, mul(div(m2, denom), a.lr / a.bc1));
  return { param: p2, m: m2, v: v2 };
}
