/**
 * AdamW exactly as PyTorch's `torch.optim.AdamW` (the `adamw_torch` optimizer EVE's training
 * uses): decoupled weight decay applied to the parameter first, bias-corrected moments, eps added
 * after the square root of the corrected second moment. Parameter groups carry their own learning
 * rate and weight decay (EVE uses a higher rate for the vision parts); a schedule multiplies
 * every group's base rate, as Hugging Face's LambdaLR does. Moments live on the parameters'
 * backend; each update is one `adamwStep` (a single pass on the CPU) and rebinds parameters in
 * place with `assign`, so no step allocates twice.
 */
import { adamwStep, assign, noGrad, type Tensor, tidy, zeros, keep } from '@evejs/tensor';

export interface ParamGroup {
  /** Parameters as [name, tensor] (names are checkpoint keys; used for state save/restore). */
  params: [string, Tensor][];
  /** Base learning rate of the group. */
  lr: number;
  weightDecay: number;
  /** A label for logs ("vision", "decay", …). */
  name?: string;
}

export interface AdamWOptions {
  betas?: [number, number];
  eps?: number;
}

interface Moments {
  m: Tensor;
  v: Tensor;
}

export class AdamW {
  readonly groups: ParamGroup[];
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Optimizer steps taken. */
  step = 0;
  readonly #moments = new Map<string, Moments>();

  constructor(groups: ParamGroup[], { betas = [0.9, 0.999], eps = 1e-8 }: AdamWOptions = {}) {
    this.groups = groups;
    [this.beta1, this.beta2] = betas;
    this.eps = eps;
    const seen = new Set<string>();
    for (const g of groups) {
      for (const [name] of g.params) {
        if (seen.has(name)) throw new Error(`AdamW: parameter ${name} is in two groups`);
        seen.add(name);
      }
    }
  }

  /**
   * One update with every group's rate multiplied by `lrScale` (the schedule's value for this
   * step). Parameters without a gradient are skipped, as PyTorch does.
   */
  update(lrScale = 1): void {
    this.step++;
    const t = this.step;
    const bc1 = 1 - this.beta1 ** t;
    const bc2 = 1 - this.beta2 ** t;
    noGrad(() => {
      for (const g of this.groups) {
        const lr = g.lr * lrScale;
        for (const [name, p] of g.params) {
          const grad = p.grad;
          if (!grad) continue;
          const mom = this.#momentsOf(name, p);
          tidy(() => {
            const next = adamwStep(p, grad, mom.m, mom.v, {
              lr,
              weightDecay: g.weightDecay,
              beta1: this.beta1,
              beta2: this.beta2,
              eps: this.eps,
              bc1,
              bc2,
            });
            assign(mom.m, next.m);
            assign(mom.v, next.v);
            assign(p, next.param);
          });
        }
      }
    });
  }

  /** Drops every gradient (after an update). */
  zeroGrad(): void {
    for (const g of this.groups) {
      for (const [, p] of g.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  #momentsOf(name: string, p: Tensor): Moments {
    let mom = this.#moments.get(name);
    if (!mom) {
      mom = { m: keep(zeros(p.shape, { backend: p.backend })), v: keep(zeros(p.shape, { backend: p.backend })) };
      this.#moments.set(name, mom);
    }
    return mom;
  }

  /** The optimizer state as tensors (`<name>.exp_avg`, `<name>.exp_avg_sq`) plus the step count. */
  stateTensors(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, { m, v }] of this.#moments) {
      out[`${name}.exp_avg`] = m;
      out[`${name}.exp_avg_sq`] = v;
    }
    return out;
  }

  /** Restores moments saved by `stateTensors` and the step count (for exact resumption). */
  loadState(step: number, tensors: Readonly<Record<string, Tensor>>): void {
    this.step = step;
    for (const g of this.groups) {
      for (const [name, p] of g.params) {
        const m = tensors[`${name}.exp_avg`];
        const v = tensors[`${name}.exp_avg_sq`];
        if (!m || !v) continue;
        if (m.size !== p.size || v.size !== p.size) throw new Error(`AdamW: saved moments of ${name} do not match its shape`);
        this.#moments.get(name)?.m.dispose();
        this.#moments.get(name)?.v.dispose();
        this.#moments.set(name, { m: keep(m), v: keep(v) });
      }
    }
  }

  /** Releases the moments. */
  dispose(): void {
    for (const { m, v } of this.#moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.#moments.clear();
  }
}
