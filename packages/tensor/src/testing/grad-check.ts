/**
 * Gradient checks: the analytic gradient an op's autograd computes (in f32, on any backend) is
 * compared with central finite differences of the op's float64 reference. That is the strong
 * check: the numeric side never touches the kernels or the gradient formulas.
 *
 * The loss is Σ out · c with a fixed random cotangent c, so every output element contributes.
 * Points where the function has a kink (relu-like ops, max ties, |x| at 0) are detected by the
 * one-sided differences disagreeing and skipped; if more than a quarter of the points are
 * skipped the check fails, so inputs must be chosen away from kinks.
 */
import { isFloatDType } from '../dtype.js';
import { engine } from '../engine.js';
import { mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { shapesEqual, shapeStr } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from './expect-close.js';
import { type TestInput, toTensor } from './from-nd.js';
import { type Nd, nd } from './nd.js';
import { randomArray, Rng } from './random-array.js';
import { GRAD_TOLERANCE } from './tolerances.js';

export interface GradCheckOptions {
  /** Indices of the inputs to differentiate (default: every float input). */
  wrt?: readonly number[];
  rtol?: number;
  atol?: number;
  /** Backend the op runs on (default: the engine's default). */
  backend?: string;
  /** Finite-difference step (default 1e-6: float64 references keep roundoff ~1e-9). */
  h?: number;
  /** Seed of the cotangent. */
  seed?: number;
  label?: string;
}

export interface GradCheckReport {
  /** Points compared per input in `wrt`. */
  checked: number[];
  /** Points skipped as kinks per input in `wrt`. */
  skipped: number[];
}

const dot = (a: Nd, b: Nd): number => a.data.reduce((s, v, i) => s + v * b.data[i]!, 0);

/**
 * Numeric gradient of Σ ref(xs)·cot w.r.t. input `i`, by central differences in float64.
 * Elements whose forward and backward one-sided slopes disagree (a kink) come back as NaN.
 */
export function numericGrad(ref: (...xs: Nd[]) => Nd, xs: readonly Nd[], i: number, cot: Nd, h = 1e-6): Float64Array {
  const x = xs[i]!;
  const args = [...xs];
  const l0 = dot(ref(...args), cot);
  const g = new Float64Array(x.data.length);
  for (let j = 0; j < g.length; j++) {
    const xp = nd(x.shape, x.data);
    const xm = nd(x.shape, x.data);
    xp.data[j]! += h;
    xm.data[j]! -= h;
    args[i] = xp;
    const lp = dot(ref(...args), cot);
    args[i] = xm;
    const lm = dot(ref(...args), cot);
    const central = (lp - lm) / (2 * h);
    const fwd = (lp - l0) / h;
    const bwd = (l0 - lm) / h;
    g[j] = Math.abs(fwd - bwd) > 1e-2 * (1 + Math.abs(central)) ? NaN : central;
  }
  return g;
}

/**
 * Checks the autograd gradients of `op` against finite differences of `ref` (float64).
 * @example await gradCheck((a, b) => mul(a, b), (a, b) => binaryRef('mul', a, b), [x, y])
 */
export async function gradCheck(
  op: (...xs: Tensor[]) => Tensor,
  ref: (...xs: Nd[]) => Nd,
  inputs: readonly TestInput[],
  opts: GradCheckOptions = {},
): Promise<GradCheckReport> {
  const wrt = opts.wrt ?? inputs.flatMap((x, i) => (isFloatDType(x.dtype ?? 'f32') ? [i] : []));
  const label = opts.label ?? 'gradCheck';
  const refOut = ref(...inputs);
  const cot = randomArray(refOut.shape, new Rng(opts.seed ?? 1234), { low: -1, high: 1 });

  const xs = inputs.map((x) => toTensor(x, { backend: opts.backend }));
  wrt.forEach((i) => (xs[i]!.requiresGrad = true));
  const grads: (Tensor | null)[] = [];
  try {
    engine.tidy(() => {
      const out = op(...xs);
      if (!shapesEqual(out.shape, refOut.shape)) {
        throw new Error(`${label}: output shape ${shapeStr(out.shape)}, reference ${shapeStr(refOut.shape)}`);
      }
      const c = toTensor(cot, { backend: opts.backend });
      sum(mul(out, c)).backward();
    });
    for (const i of wrt) grads.push(xs[i]!.grad);

    const report: GradCheckReport = { checked: [], skipped: [] };
    for (const [k, i] of wrt.entries()) {
      const g = grads[k];
      const analytic = g ? await g.data() : new Float32Array(inputs[i]!.data.length);
      const numeric = numericGrad(ref, inputs, i, cot, opts.h);
      const skipped = numeric.reduce((n, v) => n + +Number.isNaN(v), 0);
      report.checked.push(numeric.length - skipped);
      report.skipped.push(skipped);
      if (skipped > 0.25 * numeric.length) {
        throw new Error(`${label}: input ${i}: ${skipped} of ${numeric.length} points sit on kinks; choose inputs away from them`);
      }
      // Kinks are NaN on both sides, which expectClose counts as a match; indices stay the input's.
      const masked = Float64Array.from(analytic, (v, j) => (Number.isNaN(numeric[j]!) ? NaN : v));
      expectClose(masked, numeric, {
        rtol: opts.rtol ?? GRAD_TOLERANCE.rtol,
        atol: opts.atol ?? GRAD_TOLERANCE.atol,
        label: `${label}: d/d input ${i}`,
      });
    }
    return report;
  } finally {
    for (const x of xs) {
      x.grad?.dispose();
      x.dispose();
    }
  }
}
