// Memory: tidy scopes, keep, dispose semantics and the engine's counters, counted exactly.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerCpuBackend } from './cpu/cpu-backend.js';
import { engine } from './engine.js';
import { DisposedError } from './errors.js';
import { keep, memory, tidy } from './index.js';
import { randn, tensor } from './ops/creation.js';
import { add, exp, mul, silu, where } from './ops/elementwise.js';
import { crossEntropy } from './ops/loss.js';
import { matmul } from './ops/matmul.js';
import { sum } from './ops/reduce.js';
import { reshape, transpose } from './ops/views.js';
import type { Tensor } from './tensor.js';
import { expectClose } from './testing/expect-close.js';
import { expectNoLeaks } from './testing/leaks.js';

registerCpuBackend();

let baseline = memory();
beforeEach(() => {
  baseline = memory();
});
afterEach(() => {
  // Every test cleans up after itself: the counters are back where they started.
  const { numTensors, numStorages, numBytes } = memory();
  expect({ numTensors, numStorages, numBytes }).toEqual({
    numTensors: baseline.numTensors,
    numStorages: baseline.numStorages,
    numBytes: baseline.numBytes,
  });
});

describe('tidy and keep', () => {
  it('disposes intermediates and keeps the returned tensor', () => {
    const x = tensor([1, 2, 3]);
    const y = tidy(() => exp(mul(add(x, 1), 2)));
    expect(memory().numTensors).toBe(baseline.numTensors + 2);
    expectClose(y.dataSync(), [Math.exp(4), Math.exp(6), Math.exp(8)]);
    x.dispose();
    y.dispose();
  });

  it('returns arrays and objects of tensors, and moves them to the parent scope', () => {
    let inner: { a: Tensor; b: Tensor[] } | undefined;
    tidy(() => {
      inner = tidy(() => ({ a: tensor([1]), b: [tensor([2]), tensor([3])] }));
      expect(inner.a.isDisposed).toBe(false);
      expect(inner.b[1]!.isDisposed).toBe(false);
    });
    expect(inner!.a.isDisposed).toBe(true); // the outer scope did not return them
    expect(inner!.b[0]!.isDisposed).toBe(true);
  });

  it('keep survives every enclosing scope', () => {
    let kept: Tensor | undefined;
    tidy(() =>
      tidy(() => {
        kept = keep(mul(tensor([2]), 3));
      }),
    );
    expect(kept!.isDisposed).toBe(false);
    expect([...kept!.dataSync()]).toEqual([6]);
    kept!.dispose();
  });

  it('refuses an async function', () => {
    expect(() => tidy((async () => tensor([1])) as never)).toThrow(/must be synchronous/);
  });
});

describe('dispose', () => {
  it('is safe twice, and a disposed tensor throws DisposedError on use', async () => {
    const x = tensor([1, 2]);
    x.dispose();
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => add(x, 1)).toThrow(DisposedError);
    expect(() => x.dataSync()).toThrow(/dataSync: tensor #\d+ \[2\] was disposed/);
    await expect(x.data()).rejects.toThrow(DisposedError);
  });

  it('views share storage: the storage lives until the last view is disposed', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const r = reshape(x, [3, 2]);
    const v = transpose(r);
    r.dispose();
    expect(memory().numStorages).toBe(baseline.numStorages + 1);
    x.dispose();
    expect([...v.dataSync()]).toEqual([1, 3, 5, 2, 4, 6]);
    expect(memory().numStorages).toBe(baseline.numStorages + 1);
    v.dispose();
  });

  it('a tensor the graph still needs is released after backward', () => {
    const w = tensor([0.5, -0.5]);
    w.requiresGrad = true;
    const h = exp(w);
    const loss = sum(h);
    h.dispose(); // exp's gradient needs h: disposal waits for backward
    expect(h.isDisposed).toBe(false);
    loss.backward();
    expect(h.isDisposed).toBe(true);
    loss.dispose();
    w.grad!.dispose();
    w.dispose();
  });
});

describe('a small MLP forward + backward inside tidy', () => {
  it('leaves exactly the parameters and their gradients', async () => {
    await expectNoLeaks(() => {
      // Linear(5 → 7) → silu → Linear(7 → 3) → cross-entropy, on a batch of 4.
      const params = [randn([7, 5], { seed: 1 }), randn([7], { seed: 2 }), randn([3, 7], { seed: 3 }), randn([3], { seed: 4 })];
      for (const p of params) p.requiresGrad = true;
      const paramBytes = params.reduce((s, p) => s + p.size * 4, 0);
      const before = memory();
      tidy(() => {
        const x = randn([4, 5], { seed: 5 });
        const targets = tensor(new Int32Array([0, 2, 1, -100]));
        const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
        const h = silu(add(matmul(x, w1, { transposeB: true }), b1));
        const logits = add(matmul(h, w2, { transposeB: true }), b2);
        crossEntropy(logits, targets).backward();
      });
      const after = memory();
      expect(after.numTensors - before.numTensors).toBe(4); // one gradient per parameter
      expect(after.numStorages - before.numStorages).toBe(4);
      expect(after.numBytes - before.numBytes).toBe(paramBytes);
      for (const p of params) {
        expect(p.grad!.shape).toEqual(p.shape);
        expect(engine.memory().numTensors).toBeGreaterThan(0);
        p.grad!.dispose();
        p.dispose();
      }
    });
  });
});

describe('tidy when the function throws', () => {
  it('disposes what the function made before throwing', () => {
    expect(() =>
      tidy(() => {
        const a = tensor([1, 2]);
        mul(a, 2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
  });

  it('a failing op leaves no scalar temporaries behind', () => {
    const x = tensor([1, 2, 3]);
    x.dispose();
    const before = memory().numTensors;
    // add(x, 1) makes a scalar tensor for 1 before it finds x disposed; that scalar is released.
    expect(() => add(x, 1)).toThrow(DisposedError);
    const c = tensor(new Uint8Array([1, 0, 1]), [3], { dtype: 'bool' });
    expect(() => where(c, x, 1)).toThrow(DisposedError); // likewise the scalar for 1
    expect(memory().numTensors).toBe(before + 1);
    c.dispose();
  });
});
