import { describe, expect, it } from 'vitest';
import { add, assign, memory, mul, noGrad, registerCpuBackend, sum, tensor, tidy, transpose } from './index.js';

registerCpuBackend();

describe('assign', () => {
  it('rebinds a parameter to new values, keeping its identity and freeing the old storage', async () => {
    const p = tensor([1, 2, 3, 4], [2, 2]);
    p.requiresGrad = true;
    const before = memory();
    noGrad(() => tidy(() => assign(p, add(p, 1)))); // optimizer updates run without a graph
    expect(await p.data()).toEqual(new Float32Array([2, 3, 4, 5]));
    expect(p.requiresGrad).toBe(true);
    expect(memory()).toEqual(before);
    // The parameter still takes part in autograd.
    const loss = sum(mul(p, p));
    loss.backward();
    expect(await p.grad!.data()).toEqual(new Float32Array([4, 6, 8, 10]));
    loss.dispose();
  });

  it('copies a strided value and rejects mismatched shapes and graph-held targets', async () => {
    const p = tensor([0, 0, 0, 0, 0, 0], [2, 3]);
    const v = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    const vt = transpose(v);
    assign(p, vt);
    expect(await p.data()).toEqual(new Float32Array([1, 3, 5, 2, 4, 6]));
    expect(() => assign(p, v)).toThrow(/assign: \[3, 2\] f32 into \[2, 3\] f32/);
    p.requiresGrad = true;
    const y = mul(p, 2);
    expect(() => assign(p, vt)).toThrow(/graph still needs the target/);
    sum(y).backward();
  });
});
