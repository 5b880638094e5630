/**
 * The multimodal projector (`model.mm_projector`): LLaVA's `mlpNx_gelu` — Linear(C → D), then
 * (GELU, Linear(D → D)) N−1 times, exact erf GELU — or `linear`. Keys are the nn.Sequential
 * indices: `0.*`, `2.*`, … (odd indices are the parameter-free GELUs).
 */
import { EveError, gelu, type Tensor } from '@evejs/tensor';
import { Linear } from './layers.js';
import { Module } from './module.js';

export class MmProjector extends Module {
  readonly linears: Linear[] = [];
  constructor(
    readonly projectorType: string,
    inFeatures: number,
    outFeatures: number,
  ) {
    super();
    const m = /^mlp(\d+)x_gelu$/.exec(projectorType);
    const depth = projectorType === 'linear' ? 1 : m ? Number(m[1]) : 0;
    if (depth < 1) throw new EveError(`mm_projector_type ${projectorType} is not supported (linear or mlpNx_gelu)`);
    if (projectorType === 'linear') {
      // a bare nn.Linear: keys mm_projector.weight / .bias
      this.linears.push(this.adopt(new Linear(inFeatures, outFeatures)));
      return;
    }
    for (let i = 0; i < depth; i++) this.linears.push(this.child(String(2 * i), new Linear(i === 0 ? inFeatures : outFeatures, outFeatures)));
  }
  /** [N, C] → [N, D] */
  forward(x: Tensor): Tensor {
    let y = this.linears[0]!.forward(x);
    for (const l of this.linears.slice(1)) y = l.forward(gelu(y));
    return y;
  }
}
