/**
 * Normalisations over the last axis: layerNorm (CLIP, EVE's vision parts) and rmsNorm (Llama).
 * Forward runs as one kernel; gradients are written in other ops (recomputing the statistics).
 */
import { engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import { defineOp } from '../op.js';
import type { Tensor } from '../tensor.js';
import { add, mul, rsqrt, sub } from './elementwise.js';
import { mean, sumToShape } from './reduce.js';
import { requireDType } from './util.js';

export interface NormAttrs {
  eps: number;
}

function checkParam(op: string, x: Tensor, p: Tensor, what: string): void {
  requireDType(op, p, ['f32']);
  const d = x.shape[x.rank - 1];
  if (p.rank !== 1 || p.shape[0] !== d) throw new ShapeError(`${op}: ${what} must have shape [${d}], got [${p.shape.join(', ')}]`);
}

export const layerNormOp = defineOp<NormAttrs>({
  name: 'layerNorm',
  infer: ([x, w, b]) => {
    requireDType('layerNorm', x!, ['f32']);
    checkParam('layerNorm', x!, w!, 'weight');
    checkParam('layerNorm', x!, b!, 'bias');
    return [{ shape: x!.shape, dtype: 'f32' }];
  },
  grad: ({ inputs: [x, w], attrs: { eps }, dys: [dy] }) => {
    const mu = mean(x!, -1, true);
    const xc = sub(x!, mu);
    const rstd = rsqrt(add(mean(mul(xc, xc), -1, true), eps));
    const xhat = mul(xc, rstd);
    const g = mul(dy!, w!); // dL/dxhat
    // dx = rstd · (g − mean(g) − xhat · mean(g · xhat))
    const dx = mul(rstd, sub(sub(g, mean(g, -1, true)), mul(xhat, mean(mul(g, xhat), -1, true))));
    return [dx, sumToShape(mul(dy!, xhat), w!.shape), sumToShape(dy!, w!.shape)];
  },
});

export const rmsNormOp = defineOp<NormAttrs>({
  name: 'rmsNorm',
  infer: ([x, w]) => {
    requireDType('rmsNorm', x!, ['f32']);
    checkParam('rmsNorm', x!, w!, 'weight');
    return [{ shape: x!.shape, dtype: 'f32' }];
  },
  grad: ({ inputs: [x, w], attrs: { eps }, dys: [dy] }) => {
    const r = rsqrt(add(mean(mul(x!, x!), -1, true), eps));
    const xhat = mul(x!, r);
    const g = mul(dy!, w!);
    // dx = r · (g − xhat · mean(g · xhat))
    const dx = mul(r, sub(g, mul(xhat, mean(mul(g, xhat), -1, true))));
    return [dx, sumToShape(mul(dy!, xhat), w!.shape)];
  },
});

/** LayerNorm over the last axis: (x − mean)/√(var + eps) · weight + bias (biased variance, as PyTorch). */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  return engine.runOp(layerNormOp, [x, weight, bias], { eps })[0]!;
}

/** RMSNorm over the last axis: x/√(mean(x²) + eps) · weight (Hugging Face LlamaRMSNorm). */
export function rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
  return engine.runOp(rmsNormOp, [x, weight], { eps })[0]!;
}
