/**
 * The Llama-2 decoder in Hugging Face `LlamaForCausalLM` layout (transformers 4.31 semantics):
 * `model.embed_tokens`, `model.layers.N.{self_attn.{q,k,v,o}_proj, mlp.{gate,up,down}_proj,
 * input_layernorm, post_attention_layernorm}`, `model.norm`, `lm_head`. Pre-norm blocks, RoPE
 * ("rotate half"), grouped KV heads, SiLU-gated MLP, untied output head.
 *
 * It takes input *embeddings* (EVE splices image features into them) and positions starting
 * at the KV cache's length, so one code path serves full forward, prefill and one-token decode.
 * Batch size is free in the math but EVE's inference is batch 1; padding masks are not modelled.
 */
import { add, matmul, mul, reshape, permute, rope, ropeTables, silu, softmax, tensor, type Tensor, sliceAxis } from '@evejs/tensor';
import { Embedding, Linear, RMSNorm } from './layers.js';
import { Module, ModuleList } from './module.js';
import type { KvCache } from './kv-cache.js';

/** The decoder fields of config.json (LlamaConfig), with its defaults. */
export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
}

/** Per-forward constants shared by every layer: RoPE tables and the causal mask. */
export interface AttentionContext {
  /** [T, headDim] */
  cos: Tensor;
  sin: Tensor;
  /** [T, S] additive mask (0 or a large negative), null when T = 1. */
  mask: Tensor | null;
}

/** A large negative instead of −∞ keeps softmax finite on every backend (HF uses finfo.min). */
const MASKED = -1e9;

/** RoPE tables and causal mask for `length` new positions after `past` cached ones. */
export function attentionContext(past: number, length: number, headDim: number, ropeTheta: number): AttentionContext {
  const { cos, sin } = ropeTables(past, length, headDim, ropeTheta);
  let mask: Tensor | null = null;
  if (length > 1) {
    const total = past + length;
    const m = new Float32Array(length * total);
    for (let i = 0; i < length; i++) for (let j = past + i + 1; j < total; j++) m[i * total + j] = MASKED;
    mask = tensor(m, [length, total]);
  }
  return { cos: tensor(cos, [length, headDim]), sin: tensor(sin, [length, headDim]), mask };
}

export class LlamaAttention extends Module {
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly oProj: Linear;
  readonly headDim: number;
  constructor(readonly config: LlamaConfig) {
    super();
    const { hiddenSize: d, numAttentionHeads: h, numKeyValueHeads: kv } = config;
    if (d % h !== 0 || h % kv !== 0) throw new Error(`attention: hidden ${d}, heads ${h}, kv heads ${kv} do not divide`);
    this.headDim = d / h;
    this.qProj = this.child('q_proj', new Linear(d, h * this.headDim, { bias: false }));
    this.kProj = this.child('k_proj', new Linear(d, kv * this.headDim, { bias: false }));
    this.vProj = this.child('v_proj', new Linear(d, kv * this.headDim, { bias: false }));
    this.oProj = this.child('o_proj', new Linear(h * this.headDim, d, { bias: false }));
  }

  /** x [B, T, D] → [B, T, D]; with a cache, attends to cached positions too and appends. */
  forward(x: Tensor, ctx: AttentionContext, cache?: { cache: KvCache; layer: number }): Tensor {
    const [b, t] = x.shape as [number, number];
    const { numAttentionHeads: h, numKeyValueHeads: kvh } = this.config;
    const hd = this.headDim;
    const g = h / kvh;
    const q = rope(permute(reshape(this.qProj.forward(x), [b, t, h, hd]), [0, 2, 1, 3]), ctx.cos, ctx.sin); // (B, H, T, hd)
    let k = rope(permute(reshape(this.kProj.forward(x), [b, t, kvh, hd]), [0, 2, 1, 3]), ctx.cos, ctx.sin); // (B, KV, T, hd)
    let v = permute(reshape(this.vProj.forward(x), [b, t, kvh, hd]), [0, 2, 1, 3]);
    if (cache) ({ k, v } = cache.cache.append(cache.layer, k, v));
    const s = k.shape[2]!;
    // Grouped heads: query heads kv·g … kv·g+g−1 share KV head kv, so fold the group into the
    // row axis, (B, KV, g·T, hd), and multiply against the un-repeated keys: no KV copies.
    const qg = reshape(q, [b, kvh, g * t, hd]);
    let scores = mul(matmul(qg, k, { transposeB: true }), 1 / Math.sqrt(hd)); // (B, KV, g·T, S)
    if (ctx.mask) scores = reshape(add(reshape(scores, [b, kvh, g, t, s]), ctx.mask), [b, kvh, g * t, s]);
    const out = matmul(softmax(scores, -1), v); // (B, KV, g·T, hd)
    const merged = reshape(permute(reshape(out, [b, h, t, hd]), [0, 2, 1, 3]), [b, t, h * hd]);
    return this.oProj.forward(merged);
  }
}

export class LlamaMlp extends Module {
  readonly gateProj: Linear;
  readonly upProj: Linear;
  readonly downProj: Linear;
  constructor(config: LlamaConfig) {
    super();
    const { hiddenSize: d, intermediateSize: i } = config;
    this.gateProj = this.child('gate_proj', new Linear(d, i, { bias: false }));
    this.upProj = this.child('up_proj', new Linear(d, i, { bias: false }));
    this.downProj = this.child('down_proj', new Linear(i, d, { bias: false }));
  }
  forward(x: Tensor): Tensor {
    return this.downProj.forward(mul(silu(this.gateProj.forward(x)), this.upProj.forward(x)));
  }
}

export class LlamaDecoderLayer extends Module {
  readonly selfAttn: LlamaAttention;
  readonly mlp: LlamaMlp;
  readonly inputLayernorm: RMSNorm;
  readonly postAttentionLayernorm: RMSNorm;
  constructor(config: LlamaConfig) {
    super();
    this.selfAttn = this.child('self_attn', new LlamaAttention(config));
    this.mlp = this.child('mlp', new LlamaMlp(config));
    this.inputLayernorm = this.child('input_layernorm', new RMSNorm(config.hiddenSize, config.rmsNormEps));
    this.postAttentionLayernorm = this.child('post_attention_layernorm', new RMSNorm(config.hiddenSize, config.rmsNormEps));
  }
  forward(x: Tensor, ctx: AttentionContext, cache?: { cache: KvCache; layer: number }): Tensor {
    const h = add(x, this.selfAttn.forward(this.inputLayernorm.forward(x), ctx, cache));
    return add(h, this.mlp.forward(this.postAttentionLayernorm.forward(h)));
  }
}

/** `LlamaModel`: embeddings, blocks and the final norm (keys under `model.`). */
export class LlamaModel extends Module {
  readonly embedTokens: Embedding;
  readonly layers: LlamaDecoderLayer[] = [];
  readonly norm: RMSNorm;
  constructor(readonly config: LlamaConfig) {
    super();
    this.embedTokens = this.child('embed_tokens', new Embedding(config.vocabSize, config.hiddenSize));
    const layers = this.child('layers', new ModuleList());
    for (let i = 0; i < config.numHiddenLayers; i++) this.layers.push(layers.add(new LlamaDecoderLayer(config)));
    this.norm = this.child('norm', new RMSNorm(config.hiddenSize, config.rmsNormEps));
  }

  /**
   * Input embeddings [B, T, D] → final normed hidden states [B, T, D]. Positions start at the
   * cache's length (0 without a cache). With `hiddenStates`, every block's input and the final
   * normed output are pushed to it (HF `output_hidden_states`: 1 + numLayers tensors).
   */
  forward(embeds: Tensor, cache?: KvCache, hiddenStates?: Tensor[]): Tensor {
    const t = embeds.shape[1]!;
    const past = cache?.length ?? 0;
    cache?.reserve(t);
    const ctx = attentionContext(past, t, this.config.hiddenSize / this.config.numAttentionHeads, this.config.ropeTheta);
    let x = embeds;
    this.layers.forEach((layer, i) => {
      hiddenStates?.push(x);
      x = layer.forward(x, ctx, cache ? { cache, layer: i } : undefined);
    });
    const out = this.norm.forward(x);
    hiddenStates?.push(out);
    return out;
  }
}

/** `LlamaForCausalLM`: `model.*` plus the untied `lm_head`. */
export class LlamaForCausalLM extends Module {
  readonly model: LlamaModel;
  readonly lmHead: Linear;
  constructor(readonly config: LlamaConfig) {
    super();
    this.model = this.child('model', new LlamaModel(config));
    this.lmHead = this.child('lm_head', new Linear(config.hiddenSize, config.vocabSize, { bias: false }));
  }
  /** ids-free entry: embeddings [B, T, D] → logits [B, T, V] (or [B, 1, V] with `lastOnly`). */
  forwardEmbeds(embeds: Tensor, { cache, lastOnly = false }: { cache?: KvCache; lastOnly?: boolean } = {}): Tensor {
    let h = this.model.forward(embeds, cache);
    if (lastOnly) h = sliceAxis(h, 1, h.shape[1]! - 1, h.shape[1]!);
    return this.lmHead.forward(h);
  }
}
