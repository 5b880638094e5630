/**
 * The basic layers, in PyTorch's parameter layout: Linear (weight [out, in], optional bias),
 * Embedding (weight [num, dim]), RMSNorm (Llama), LayerNorm. Each is one `Module` with the
 * Hugging Face parameter names, so a parent's child name plus these give checkpoint keys.
 */
import { add, gather, layerNorm, matmul, quantizedGather, quantizedMatmul, rmsNorm, type Tensor } from '@evejs/tensor';
import { Module, type ParamSlot } from './module.js';

/** y = x·Wᵀ + b. The weight may be stored f16/bf16 (it is matmul's `b` operand) or block-quantised. */
export class Linear extends Module {
  readonly weightSlot: ParamSlot;
  readonly biasSlot: ParamSlot | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true }: { bias?: boolean } = {},
  ) {
    super();
    this.weightSlot = this.param('weight', [outFeatures, inFeatures], 'matrix');
    this.biasSlot = bias ? this.param('bias', [outFeatures], 'vector', 'zeros') : null;
  }
  get weight(): Tensor {
    return Module.value(this.weightSlot, 'Linear weight');
  }
  get bias(): Tensor | null {
    return this.biasSlot ? Module.value(this.biasSlot, 'Linear bias') : null;
  }
  /** x [..., in] → [..., out] */
  forward(x: Tensor): Tensor {
    const q = this.weightSlot.quantized;
    const y = q ? quantizedMatmul(x, q) : matmul(x, this.weight, { transposeB: true });
    const b = this.bias;
    return b ? add(y, b) : y;
  }
}

/** Rows of a table by id. The table may be stored f16/bf16 or block-quantised. */
export class Embedding extends Module {
  readonly weightSlot: ParamSlot;
  constructor(
    readonly numEmbeddings: number,
    readonly dim: number,
  ) {
    super();
    this.weightSlot = this.param('weight', [numEmbeddings, dim], 'matrix');
  }
  get weight(): Tensor {
    return Module.value(this.weightSlot, 'Embedding weight');
  }
  /** ids (i32) [...] → [..., dim] */
  forward(ids: Tensor): Tensor {
    const q = this.weightSlot.quantized;
    return q ? quantizedGather(q, ids) : gather(this.weight, ids);
  }
}

/** Llama's RMSNorm: x/√(mean(x²) + eps) · weight. */
export class RMSNorm extends Module {
  readonly weightSlot: ParamSlot;
  constructor(
    readonly dim: number,
    readonly eps = 1e-6,
  ) {
    super();
    this.weightSlot = this.param('weight', [dim], 'vector', 'ones');
  }
  forward(x: Tensor): Tensor {
    return rmsNorm(x, Module.value(this.weightSlot, 'RMSNorm weight'), this.eps);
  }
}

/** PyTorch LayerNorm over the last axis (eps 1e-5 by default). */
export class LayerNorm extends Module {
  readonly weightSlot: ParamSlot;
  readonly biasSlot: ParamSlot;
  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weightSlot = this.param('weight', [dim], 'vector', 'ones');
    this.biasSlot = this.param('bias', [dim], 'vector', 'zeros');
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, Module.value(this.weightSlot, 'LayerNorm weight'), Module.value(this.biasSlot, 'LayerNorm bias'), this.eps);
  }
}

/** `nn.Sequential(LayerNorm, Linear(no bias))`: EVE's `q`/`kv` blocks and the aligning layer's norm layers (keys `0.*`, `1.*`). */
export class NormLinear extends Module {
  readonly norm: LayerNorm;
  readonly linear: Linear;
  constructor(inFeatures: number, outFeatures: number) {
    super();
    this.norm = this.child('0', new LayerNorm(inFeatures));
    this.linear = this.child('1', new Linear(inFeatures, outFeatures, { bias: false }));
  }
  forward(x: Tensor): Tensor {
    return this.linear.forward(this.norm.forward(x));
  }
}
