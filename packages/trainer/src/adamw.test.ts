// AdamW, gradient clipping and the cosine schedule against a PyTorch trajectory
// (tools/trainer-fixtures/adamw_golden.py → test/fixtures/adamw-golden.json).
import { readFileSync } from 'node:fs';
import { memory, registerCpuBackend, tensor, keep } from '@evejs/tensor';
import { expectClose } from '@evejs/tensor/testing';
import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { lrMultiplier, warmupSteps } from './lr-schedule.js';

registerCpuBackend();

interface Golden {
  steps: number;
  warmup_ratio: number;
  max_norm: number;
  groups: { name: 'a' | 'b'; shape: number[]; lr: number; weight_decay: number }[];
  init: Record<'a' | 'b', number[]>;
  grads: Record<'a' | 'b', number[]>[];
  grad_norms: number[];
  params_after_step: Record<'a' | 'b', number[]>[];
}
const golden = JSON.parse(readFileSync(new URL('../test/fixtures/adamw-golden.json', import.meta.url), 'utf8')) as Golden;

describe('AdamW + clipGradNorm + cosine schedule', () => {
  it('follows torch.optim.AdamW step for step (two groups, weight decay, warmup, clipping)', async () => {
    const params = Object.fromEntries(golden.groups.map((g) => [g.name, keep(tensor(golden.init[g.name], g.shape))])) as Record<'a' | 'b', ReturnType<typeof tensor>>;
    for (const p of Object.values(params)) p.requiresGrad = true;
    const opt = new AdamW(golden.groups.map((g) => ({ params: [[g.name, params[g.name]]], lr: g.lr, weightDecay: g.weight_decay })));
    const schedule = { kind: 'cosine' as const, totalSteps: golden.steps, warmupRatio: golden.warmup_ratio };
    const baseline = memory().numTensors;
    for (let t = 0; t < golden.steps; t++) {
      for (const g of golden.groups) params[g.name].grad = keep(tensor(golden.grads[t]![g.name], g.shape));
      const norm = await clipGradNorm(Object.values(params), golden.max_norm);
      expect(norm).toBeCloseTo(golden.grad_norms[t]!, 4);
      opt.update(lrMultiplier(schedule, t));
      opt.zeroGrad();
      for (const g of golden.groups) {
        // f32 arithmetic in both; the tolerance covers op-order differences over 12 steps.
        expectClose(await params[g.name].data(), Float64Array.from(golden.params_after_step[t]![g.name]), { rtol: 1e-5, atol: 1e-6, label: `${g.name} after step ${t + 1}` });
      }
    }
    // Two moments per parameter are the only tensors the optimizer keeps.
    expect(memory().numTensors).toBe(baseline + 4);
    opt.dispose();
  });

  it('warms up from 0 and decays to 0 like Hugging Face', () => {
    const s = { kind: 'cosine' as const, totalSteps: 100, warmupRatio: 0.03 };
    expect(warmupSteps(s)).toBe(3);
    expect([0, 1, 2, 3].map((t) => lrMultiplier(s, t))).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(lrMultiplier(s, 100)).toBeCloseTo(0, 12);
    expect(lrMultiplier(s, 3 + 97 / 2)).toBeCloseTo(0.5, 12);
    expect(lrMultiplier({ kind: 'constant', totalSteps: 10, warmupRatio: 0 }, 7)).toBe(1);
  });

  it('refuses a parameter listed in two groups', () => {
    const p = tensor([1, 2]);
    expect(() => new AdamW([{ params: [['w', p]], lr: 1, weightDecay: 0 }, { params: [['w', p]], lr: 1, weightDecay: 0 }])).toThrow(/two groups/);
  });
});
