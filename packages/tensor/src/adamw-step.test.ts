import { describe, expect, it } from 'vitest';
import { adamwStep, adamwStepComposed, memory, noGrad, randn, registerCpuBackend, tensor, tidy, type AdamWStepAttrs, type Tensor } from './index.js';

registerCpuBackend();

const attrsAt = (t: number, weightDecay: number): AdamWStepAttrs => ({
  lr: 3e-4 * (1 - t / 20),
  weightDecay,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  bc1: 1 - 0.9 ** t,
  bc2: 1 - 0.999 ** t,
});

/** Runs `steps` updates of one parameter through `step`, feeding it fresh random gradients. */
async function run(step: typeof adamwStep, weightDecay: number, steps: number): Promise<Float32Array[]> {
  let p: Tensor = randn([37, 19], { seed: 1 });
  let m: Tensor = tensor(new Float32Array(37 * 19), [37, 19]);
  let v: Tensor = tensor(new Float32Array(37 * 19), [37, 19]);
  for (let t = 1; t <= steps; t++) {
    const g = randn([37, 19], { seed: 100 + t, std: 10 ** ((t % 5) - 3) }); // gradients from 1e-3 to 10
    const next = noGrad(() => step(p, g, m, v, attrsAt(t, weightDecay)));
    for (const old of [p, m, v, g]) old.dispose();
    ({ param: p, m, v } = next);
  }
  const out = [await p.data(), await m.data(), await v.data()] as Float32Array[];
  for (const t of [p, m, v]) t.dispose();
  return out;
}

describe('adamwStep', () => {
  it('gives bit for bit the weights and moments of the update composed from elementwise ops', async () => {
    for (const wd of [0, 0.1]) {
      const fused = await run(adamwStep, wd, 12);
      const composed = await run((p, g, m, v, a) => tidy(() => adamwStepComposed(p, g, m, v, a)), wd, 12);
      for (let k = 0; k < 3; k++) expect(fused[k]).toEqual(composed[k]);
      // …and the update moved the weights (not a no-op that trivially agrees).
      const start = await randn([37, 19], { seed: 1 }).data();
      expect(fused[0]!.some((x, i) => Math.abs(x - start[i]!) > 1e-4)).toBe(true);
    }
  });

  it('matches PyTorch’s AdamW formula on one element computed in float64', async () => {
    const a = attrsAt(3, 0.01);
    const [p0, g0, m0, v0] = [0.7, -0.25, 0.05, 0.002];
    const out = noGrad(() => adamwStep(tensor([p0], [1]), tensor([g0], [1]), tensor([m0], [1]), tensor([v0], [1]), a));
    const m = a.beta1 * m0 + (1 - a.beta1) * g0;
    const v = a.beta2 * v0 + (1 - a.beta2) * g0 * g0;
    const p = p0 * (1 - a.lr * a.weightDecay) - ((a.lr / a.bc1) * m) / (Math.sqrt(v) / Math.sqrt(a.bc2) + a.eps);
    expect((await out.m.data())[0]).toBeCloseTo(m, 7);
    expect((await out.v.data())[0]).toBeCloseTo(v, 8);
    expect((await out.param.data())[0]).toBeCloseTo(p, 6);
  });

  it('frees what it allocates and rejects mismatched shapes or dtypes', () => {
    const p = tensor([1, 2, 3, 4], [2, 2]);
    const before = memory().numTensors;
    noGrad(() => tidy(() => void adamwStep(p, p, p, p, attrsAt(1, 0))));
    expect(memory().numTensors).toBe(before);
    const wrong = tensor([1, 2, 3, 4], [4]);
    expect(() => adamwStep(p, wrong, p, p, attrsAt(1, 0))).toThrow(/one shape/);
    const ints = tensor(new Int32Array(4), [2, 2]);
    expect(() => adamwStep(p, ints, p, p, attrsAt(1, 0))).toThrow(/expected f32/);
  });
});
