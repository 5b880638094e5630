// The shared test kit itself: expectClose's rule and failure message, compareStats, gradCheck on
// a correct and a deliberately wrong gradient, kink skipping, and expectNoLeaks.
import { describe, expect, it } from 'vitest';
import { registerCpuBackend } from '../cpu/cpu-backend.js';
import { engine } from '../engine.js';
import { defineOp } from '../op.js';
import { abs, maximum, mul } from '../ops/elementwise.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { compareStats, expectClose } from './expect-close.js';
import { gradCheck } from './grad-check.js';
import { expectNoLeaks } from './leaks.js';
import { nd } from './nd.js';
import { randomArray, Rng } from './random-array.js';
import { binaryRef, unaryRef } from './reference.js';
import { toleranceFor } from './tolerances.js';

registerCpuBackend();

describe('expectClose', () => {
  it('passes within atol + rtol·|expected| and fails just outside', () => {
    expectClose([1 + 1e-5 + 1.3e-6 * 0.999], [1]);
    expect(() => expectClose([1 + 1e-5 + 1.3e-6 * 1.01], [1])).toThrow(/1 of 1 elements/);
  });

  it('reports the count, the worst absolute and relative errors with indices, rel L2 and max abs', () => {
    let message = '';
    try {
      expectClose([1, 2.5, 3, 0.001], [1, 2, 3, 0], { rtol: 1e-3, atol: 1e-6, label: 'op x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^op x: 2 of 4 elements are not close \(rtol 0.001, atol 0.000001\)/);
    expect(message).toMatch(/worst absolute error 5\.000e-1 at index 1 \(actual 2\.5, expected 2\)/);
    expect(message).toMatch(/worst relative error Infinity at index 3/);
    expect(message).toMatch(/relative L2 error 1\.336e-1, max abs error 5\.000e-1/);
  });

  it('matches NaN with NaN and infinities exactly', () => {
    expectClose([NaN, Infinity, -Infinity, 1], [NaN, Infinity, -Infinity, 1]);
    expect(() => expectClose([NaN], [1])).toThrow(/non-finite mismatch at index 0/);
    expect(() => expectClose([1], [NaN])).toThrow(/1 of 1/);
    expect(() => expectClose([Infinity], [-Infinity])).toThrow(/1 of 1/);
    expect(() => expectClose([3.4e38], [Infinity])).toThrow(/1 of 1/);
  });

  it('rejects length mismatches and is exact for integer tolerances', () => {
    expect(() => expectClose([1, 2], [1])).toThrow(/length 2 differs from expected length 1/);
    expect(() => expectClose([3], [4], toleranceFor('i32'))).toThrow();
    expectClose([3], [3], toleranceFor('bool'));
  });

  it('compareStats gives relative L2 and max abs over finite elements', () => {
    const s = compareStats([3, 4, NaN], [0, 0, 1]);
    expect(s).toEqual({ relL2: Infinity, maxAbs: 4 });
    const t = compareStats([1.1, 2], [1, 2]);
    expect(t.relL2).toBeCloseTo(0.1 / Math.sqrt(5), 12);
    expect(t.maxAbs).toBeCloseTo(0.1, 12);
  });
});

describe('gradCheck', () => {
  const rng = new Rng(3);

  it('accepts a correct gradient (mul with broadcasting)', async () => {
    const report = await gradCheck(mul, (a, b) => binaryRef('mul', a, b), [randomArray([3, 5], rng), randomArray([5], rng)]);
    expect(report).toEqual({ checked: [15, 5], skipped: [0, 0] });
  });

  it('rejects a wrong gradient (neg whose gradient forgot the sign)', async () => {
    const badNeg = defineOp<Record<string, never>>({
      name: 'neg',
      stridedInputs: true,
      infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
      grad: ({ dys }) => [dys[0]!],
    });
    const op = (x: Tensor): Tensor => engine.runOp(badNeg, [x], {})[0]!;
    await expect(gradCheck(op, (x) => unaryRef('neg', x), [randomArray([7], rng)])).rejects.toThrow(/d\/d input 0: 7 of 7 elements/);
  });

  it('skips points on a kink and fails when most points are kinks', async () => {
    const x = nd([4], [0, 0.5, -0.75, 1.25]);
    const report = await gradCheck(abs, (v) => unaryRef('abs', v), [x]);
    expect(report).toEqual({ checked: [3], skipped: [1] });
    const ties = nd([4], [0.5, 0.5, -1, -1]);
    await expect(gradCheck(maximum, (a, b) => binaryRef('maximum', a, b), [ties, nd([4], [0.5, 0.5, -1, -1])])).rejects.toThrow(/sit on kinks/);
  });
});

describe('expectNoLeaks', () => {
  it('passes when everything is disposed and names the leak otherwise', async () => {
    await expectNoLeaks(() => tensor([1, 2]).dispose());
    let leaked: Tensor | undefined;
    await expect(expectNoLeaks(() => void (leaked = tensor([1, 2, 3])), 'case')).rejects.toThrow(/case: leaked \(tensors \d+ → \d+, storages .*bytes/);
    leaked?.dispose();
  });
});
