/**
 * Rotary position embedding in the Hugging Face Llama convention ("rotate half"):
 * y = x·cos + rotateHalf(x)·sin, rotateHalf(x) = concat(−x₂, x₁) over the two halves of the last
 * axis. `cos`/`sin` ([T, D] or anything broadcastable to x) carry the positions, so the same op
 * serves prefill and cached decoding. cos and sin are constants: they get no gradient.
 */
import { engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import { defineOp } from '../op.js';
import { broadcastShapes, shapesEqual, shapeStr } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add, mul, neg } from './elementwise.js';
import { concat } from './shape-ops.js';
import { sliceAxis } from './views.js';
import { requireDType } from './util.js';

export const ropeOp = defineOp<Record<string, never>>({
  name: 'rope',
  infer: ([x, cos, sin]) => {
    requireDType('rope', x!, ['f32']);
    const d = x!.shape[x!.rank - 1]!;
    if (d % 2 !== 0) throw new ShapeError(`rope: the last axis (${d}) must be even`);
    for (const t of [cos!, sin!]) {
      requireDType('rope', t, ['f32']);
      if (!shapesEqual(broadcastShapes(x!.shape, t.shape), x!.shape) || t.shape[t.rank - 1] !== d) {
        throw new ShapeError(`rope: cos/sin ${shapeStr(t.shape)} must broadcast to x ${shapeStr(x!.shape)}`);
      }
    }
    return [{ shape: x!.shape, dtype: 'f32' }];
  },
  // y = C∘x + S∘(Rx) with R the rotate-half matrix (Rᵀ = −R), so dx = C∘dy − R(S∘dy).
  grad: ({ inputs: [, cos, sin], dys: [dy] }) => [add(mul(dy!, cos!), neg(rotateHalf(mul(dy!, sin!)))), null, null],
});

/** concat(−x₂, x₁) over the halves of the last axis. */
export function rotateHalf(x: Tensor): Tensor {
  const h = x.shape[x.rank - 1]! / 2;
  return concat([neg(sliceAxis(x, -1, h, 2 * h)), sliceAxis(x, -1, 0, h)], -1);
}

/**
 * Applies rotary embeddings.
 * @example rope(q, cos, sin) // q [B, H, T, D], cos/sin [T, D]
 */
export function rope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  return engine.runOp(ropeOp, [x, cos, sin], {})[0]!;
}

/**
 * The cos/sin tables for positions [start, start+length) as Llama builds them:
 * inv_freq = base^(−2i/d), angles = pos·inv_freq, emb = concat(angles, angles). Returned as f32
 * host arrays of shape [length, d]; computed in float64 then rounded, like PyTorch's f32 path
 * closely (PyTorch computes in f32; differences are below 1 ulp of the angle's cos/sin for
 * typical positions).
 */
export function ropeTables(start: number, length: number, dim: number, base = 10000): { cos: Float32Array; sin: Float32Array } {
  const half = dim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / base ** ((2 * i) / dim);
  const cos = new Float32Array(length * dim);
  const sin = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround((start + p) * invFreq[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * dim + i] = c;
      cos[p * dim + i + half] = c;
      sin[p * dim + i] = s;
      sin[p * dim + i + half] = s;
    }
  }
  return { cos, sin };
}
