/**
 * The CLIP ViT vision tower used as EVE's frozen teacher during training (HF `CLIPVisionModel`
 * layout, transformers 4.31: class token + learned positions, `pre_layrnorm`, pre-LN blocks
 * with biased q/k/v/out projections and a quick-GELU MLP, `post_layernorm`). EVE wraps it as
 * `CLIPVisionTower` whose `backbone` is the CLIPVisionModel, so its keys are
 * `<prefix>.backbone.vision_model.*` (prefix `model.vision_clip`). Inference never uses it.
 */
import { add, concat, matmul, mul, permute, reshape, sigmoid, sliceAxis, softmax, type Tensor } from '@evejs/tensor';
import { LayerNorm, Linear } from './layers.js';
import { Module, ModuleDict, ModuleList, type ParamSlot } from './module.js';
import { PatchEmbedding } from './vision-tokenizer.js';

/** The CLIPVisionConfig fields the tower needs. */
export interface ClipVisionConfig {
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  imageSize: number;
  patchSize: number;
  layerNormEps: number;
}

/** Parses a CLIP (vision) config.json; a full CLIPConfig's `vision_config` is used when present. */
export function parseClipVisionConfig(raw: Record<string, unknown>): ClipVisionConfig {
  const r = (raw['vision_config'] as Record<string, unknown> | undefined) ?? raw;
  const n = (k: string, d: number) => (typeof r[k] === 'number' ? (r[k] as number) : d);
  return {
    hiddenSize: n('hidden_size', 768),
    intermediateSize: n('intermediate_size', 3072),
    numHiddenLayers: n('num_hidden_layers', 12),
    numAttentionHeads: n('num_attention_heads', 12),
    imageSize: n('image_size', 224),
    patchSize: n('patch_size', 32),
    layerNormEps: n('layer_norm_eps', 1e-5),
  };
}

/** x·sigmoid(1.702x) (OpenAI CLIP's activation). */
function quickGelu(x: Tensor): Tensor {
  return mul(x, sigmoid(mul(x, 1.702)));
}

class ClipEmbeddings extends Module {
  readonly classEmbedding: ParamSlot;
  readonly patchEmbedding: PatchEmbedding;
  readonly positionEmbedding: ParamSlot;
  constructor(readonly config: ClipVisionConfig) {
    super();
    const c = config.hiddenSize;
    const positions = (config.imageSize / config.patchSize) ** 2 + 1;
    this.classEmbedding = this.param('class_embedding', [c], 'vector', 'normal');
    this.patchEmbedding = this.child('patch_embedding', new PatchEmbedding(c, config.patchSize));
    this.positionEmbedding = this.child('position_embedding', new ModuleDict()).declare('weight', [positions, c]);
  }
  /** pixels [1, 3, S, S] → [1 + patches, C] */
  forward(pixels: Tensor): Tensor {
    const c = this.config.hiddenSize;
    const patches = reshape(this.patchEmbedding.forward(pixels), [-1, c]); // (h·w, C) row-major
    const x = concat([reshape(Module.value(this.classEmbedding), [1, c]), patches], 0);
    return add(x, sliceAxis(Module.value(this.positionEmbedding), 0, 0, x.shape[0]!));
  }
}

class ClipAttention extends Module {
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly outProj: Linear;
  constructor(readonly config: ClipVisionConfig) {
    super();
    const c = config.hiddenSize;
    this.kProj = this.child('k_proj', new Linear(c, c));
    this.vProj = this.child('v_proj', new Linear(c, c));
    this.qProj = this.child('q_proj', new Linear(c, c));
    this.outProj = this.child('out_proj', new Linear(c, c));
  }
  /** x [T, C] → [T, C], full (non-causal) attention, scale head_dim^-½. */
  forward(x: Tensor): Tensor {
    const t = x.shape[0]!;
    const h = this.config.numAttentionHeads;
    const hd = this.config.hiddenSize / h;
    const heads = (y: Tensor) => permute(reshape(y, [t, h, hd]), [1, 0, 2]); // (H, T, hd)
    const q = heads(mul(this.qProj.forward(x), hd ** -0.5));
    const attn = softmax(matmul(q, heads(this.kProj.forward(x)), { transposeB: true }), -1);
    const o = reshape(permute(matmul(attn, heads(this.vProj.forward(x))), [1, 0, 2]), [t, h * hd]);
    return this.outProj.forward(o);
  }
}

class ClipMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(config: ClipVisionConfig) {
    super();
    this.fc1 = this.child('fc1', new Linear(config.hiddenSize, config.intermediateSize));
    this.fc2 = this.child('fc2', new Linear(config.intermediateSize, config.hiddenSize));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(quickGelu(this.fc1.forward(x)));
  }
}

class ClipEncoderLayer extends Module {
  readonly selfAttn: ClipAttention;
  readonly layerNorm1: LayerNorm;
  readonly mlp: ClipMlp;
  readonly layerNorm2: LayerNorm;
  constructor(config: ClipVisionConfig) {
    super();
    this.selfAttn = this.child('self_attn', new ClipAttention(config));
    this.layerNorm1 = this.child('layer_norm1', new LayerNorm(config.hiddenSize, config.layerNormEps));
    this.mlp = this.child('mlp', new ClipMlp(config));
    this.layerNorm2 = this.child('layer_norm2', new LayerNorm(config.hiddenSize, config.layerNormEps));
  }
  forward(x: Tensor): Tensor {
    const h = add(x, this.selfAttn.forward(this.layerNorm1.forward(x)));
    return add(h, this.mlp.forward(this.layerNorm2.forward(h)));
  }
}

/** `CLIPVisionTransformer` (keys under `vision_model.`). */
export class ClipVisionTransformer extends Module {
  readonly embeddings: ClipEmbeddings;
  readonly preLayrnorm: LayerNorm;
  readonly layers: ClipEncoderLayer[] = [];
  readonly postLayernorm: LayerNorm;
  constructor(readonly config: ClipVisionConfig) {
    super();
    this.embeddings = this.child('embeddings', new ClipEmbeddings(config));
    this.preLayrnorm = this.child('pre_layrnorm', new LayerNorm(config.hiddenSize, config.layerNormEps));
    const list = this.child('encoder', new ModuleDict()).set('layers', new ModuleList());
    for (let i = 0; i < config.numHiddenLayers; i++) this.layers.push(list.add(new ClipEncoderLayer(config)));
    this.postLayernorm = this.child('post_layernorm', new LayerNorm(config.hiddenSize, config.layerNormEps));
  }
  /**
   * pixels [3, S, S] (or [1, 3, S, S]) → HF `hidden_states`: the embeddings after pre_layrnorm, then
   * every layer's output ([1 + patches, C] each; no post_layernorm, which EVE never uses).
   */
  hiddenStates(pixels: Tensor): Tensor[] {
    const px = pixels.rank === 3 ? reshape(pixels, [1, ...pixels.shape]) : pixels;
    let x = this.preLayrnorm.forward(this.embeddings.forward(px));
    const states = [x];
    for (const layer of this.layers) states.push((x = layer.forward(x)));
    return states;
  }
}

/**
 * EVE's `CLIPVisionTower` (keys `backbone.vision_model.*`): `forward` gives the teacher features,
 * `hidden_states[select_layer]` without the class token (`mm_vision_select_layer` −2,
 * `mm_vision_select_feature` patch) → [patches, C].
 */
export class ClipVisionTower extends Module {
  readonly visionModel: ClipVisionTransformer;
  constructor(
    readonly config: ClipVisionConfig,
    readonly selectLayer = -2,
  ) {
    super();
    this.visionModel = this.child('backbone', new ModuleDict()).set('vision_model', new ClipVisionTransformer(config));
  }
  forward(pixels: Tensor): Tensor {
    const states = this.visionModel.hiddenStates(pixels);
    const s = states.at(this.selectLayer)!;
    return sliceAxis(s, 0, 1, s.shape[0]!);
  }
}
