// Autograd semantics: accumulation, noGrad, detach, fan-out, requiresGrad propagation, seeds,
// and the error messages users see for shape and dtype mistakes.
import { describe, expect, it } from 'vitest';
import { registerCpuBackend } from './cpu/cpu-backend.js';
import { DTypeError, ShapeError } from './errors.js';
import { detach, noGrad } from './index.js';
import { tensor } from './ops/creation.js';
import { add, cast, exp, mul } from './ops/elementwise.js';
import { matmul } from './ops/matmul.js';
import { rmsNorm } from './ops/norm.js';
import { sum } from './ops/reduce.js';
import { reshape } from './ops/views.js';
import type { Tensor } from './tensor.js';
import { expectClose } from './testing/expect-close.js';

registerCpuBackend();

const param = (values: number[], shape?: number[]): Tensor => {
  const t = tensor(values, shape);
  t.requiresGrad = true;
  return t;
};
const gradOf = (t: Tensor): number[] => [...t.grad!.dataSync()];

describe('autograd', () => {
  it('accumulates gradients across two backward calls', () => {
    const x = param([1, -2, 3]);
    sum(mul(x, x)).backward();
    expectClose(gradOf(x), [2, -4, 6]);
    sum(mul(x, 3)).backward();
    expectClose(gradOf(x), [5, -1, 9]);
  });

  it('sums the gradient of a tensor used twice (fan-out)', () => {
    const x = param([0.5, -1.5]);
    sum(add(mul(x, x), exp(x))).backward(); // d/dx = 2x + eˣ
    expectClose(gradOf(x), [1 + Math.exp(0.5), -3 + Math.exp(-1.5)]);
    const y = param([2]);
    sum(add(y, y)).backward(); // the same tensor on both sides of one op
    expectClose(gradOf(y), [2]);
  });

  it('records nothing inside noGrad', () => {
    const x = param([1, 2]);
    const y = noGrad(() => mul(x, x));
    expect(y.requiresGrad).toBe(false);
    expect(y.creator).toBeNull();
    expect(x.graphRefs).toBe(0);
    expect(() => sum(y).backward()).toThrow(/does not require grad/);
  });

  it('detach cuts the graph: only the attached path gets a gradient', () => {
    const x = param([3, -1]);
    sum(mul(detach(x), x)).backward(); // d/dx of (const · x) = const
    expectClose(gradOf(x), [3, -1]);
    expect(detach(x).requiresGrad).toBe(false);
  });

  it('propagates requiresGrad to outputs only when an input requires it', () => {
    const a = param([1]);
    const b = tensor([2]);
    expect(add(a, b).requiresGrad).toBe(true);
    expect(add(b, b).requiresGrad).toBe(false);
    expect(reshape(a, [1, 1]).requiresGrad).toBe(true); // views too
  });

  it('leaves no gradient on intermediates and frees the graph after backward', () => {
    const x = param([1, 2]);
    const h = mul(x, 2);
    sum(h).backward();
    expect(h.grad).toBeNull();
    expect(h.creator).toBeNull();
    expect(x.graphRefs).toBe(0);
  });

  it('needs an explicit seed for a non-scalar root, and uses it', () => {
    const x = param([1, 2, 3]);
    const y = mul(x, x);
    expect(() => y.backward()).toThrow(ShapeError);
    expect(() => y.backward()).toThrow(/non-scalar root \[3\] needs an explicit gradient/);
    y.backward(tensor([1, 0.5, -1]));
    expectClose(gradOf(x), [2, 2, -6]);
  });

  it('casts gradients back to a storage dtype input (f16 weight in matmul)', () => {
    const w = tensor([0.5, -1, 2, 0.25], [2, 2], { dtype: 'f16' });
    w.requiresGrad = true;
    const a = tensor([1, 2, 3, 4], [2, 2]);
    sum(matmul(a, w)).backward();
    expect(w.grad!.dtype).toBe('f16');
    expectClose(gradOf(w), [4, 4, 6, 6]); // aᵀ·1
    const x = param([1.5]);
    sum(cast(cast(x, 'bf16'), 'f32')).backward(); // casts between floats pass the gradient through
    expectClose(gradOf(x), [1]);
  });
});

describe('error messages', () => {
  it('matmul names both shapes when inner dimensions differ', () => {
    const a = tensor(new Float32Array(6), [2, 3]);
    const b = tensor(new Float32Array(20), [4, 5]);
    expect(() => matmul(a, b)).toThrow(ShapeError);
    expect(() => matmul(a, b)).toThrow(/\[2, 3\] × \[4, 5\] \(3 vs 4\)/);
    expect(() => matmul(a, b, { transposeB: true })).toThrow(/\[2, 3\] × \[4, 5\]ᵀ \(3 vs 5\)/);
  });

  it('broadcasting, dtype and parameter mistakes are typed and named', () => {
    const x = tensor([1, 2, 3]);
    expect(() => add(x, tensor([1, 2]))).toThrow(/shapes \[3\] and \[2\] cannot broadcast/);
    expect(() => add(x, tensor(new Int32Array([1, 2, 3])))).toThrow(DTypeError);
    expect(() => add(x, tensor(new Int32Array([1, 2, 3])))).toThrow(/add: dtypes differ \(f32 and i32\)/);
    expect(() => exp(tensor([1], [1], { dtype: 'f16' }))).toThrow(/exp: expected f32, got f16 \(cast storage dtypes to f32 first\)/);
    expect(() => rmsNorm(tensor(new Float32Array(6), [2, 3]), tensor([1, 1]))).toThrow(/rmsNorm: weight must have shape \[3\], got \[2\]/);
    expect(() => reshape(x, [2, 2])).toThrow(/reshape: 3 elements cannot have shape \[2, 2\]/);
    expect(() => sum(x, 1)).toThrow(/sum: axis 1 is out of range for rank 1/);
  });
});
