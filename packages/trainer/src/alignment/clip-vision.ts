/**
 * The CLIP ViT teacher in Hugging Face `CLIPVisionModel` layout (keys under `vision_model.`:
 * `embeddings.{class_embedding, patch_embedding.weight, position_embedding.weight}`,
 * `pre_layrnorm`, `encoder.layers.N.{self_attn.{q,k,v,out}_proj, layer_norm1, mlp.fc1, mlp.fc2,
 * layer_norm2}`, `post_layernorm`). Training only and always frozen: it runs without gradients
 * and returns what EVE's `CLIPVisionTower` hands the aligning layer — `hidden_states[select]`
 * (−2 by default: the output of the second-to-last encoder layer, no post-LayerNorm) without the
 * class token. Only the layers needed for that hidden state are run.
 */
import { add, concat, conv2dPatchify, matmul, mul, noGrad, permute, reshape, sigmoid, sliceAxis, softmax, type Tensor } from '@evejs/tensor';
import { LayerNorm, Linear, Module, ModuleList, type ParamSlot } from '@evejs/model';

/** The fields of the teacher's config.json that the forward needs. */
export interface ClipVisionConfig {
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  imageSize: number;
  patchSize: number;
  layerNormEps: number;
  hiddenAct: string;
}

/** Parses a CLIP (vision) config.json object; a full CLIP config's `vision_config` is used. */
export function parseClipVisionConfig(raw: Record<string, unknown>): ClipVisionConfig {
  const r = (raw['vision_config'] as Record<string, unknown> | undefined) ?? raw;
  const n = (k: string, d?: number) => {
    const v = r[k];
    if (typeof v === 'number') return v;
    if (d !== undefined) return d;
    throw new Error(`CLIP config: ${k} is missing`);
  };
  return {
    hiddenSize: n('hidden_size'),
    intermediateSize: n('intermediate_size'),
    numHiddenLayers: n('num_hidden_layers'),
    numAttentionHeads: n('num_attention_heads'),
    imageSize: n('image_size'),
    patchSize: n('patch_size'),
    layerNormEps: n('layer_norm_eps', 1e-5),
    hiddenAct: typeof r['hidden_act'] === 'string' ? (r['hidden_act'] as string) : 'quick_gelu',
  };
}

class ClipEmbeddings extends Module {
  readonly classEmbedding: ParamSlot;
  readonly patchEmbedding: Module & { slot: ParamSlot };
  readonly positionEmbedding: Module & { slot: ParamSlot };
  constructor(readonly config: ClipVisionConfig) {
    super();
    const { hiddenSize: c, patchSize: p, imageSize: s } = config;
    this.classEmbedding = this.param('class_embedding', [c], 'vector', 'normal');
    this.patchEmbedding = this.child('patch_embedding', new WeightOnly([c, 3, p, p]));
    this.positionEmbedding = this.child('position_embedding', new WeightOnly([(s / p) ** 2 + 1, c]));
  }
  /** pixels [B, 3, S, S] → [B, 1 + g², C] */
  forward(pixels: Tensor): Tensor {
    const b = pixels.shape[0]!;
    const c = this.config.hiddenSize;
    const patches = conv2dPatchify(pixels, Module.value(this.patchEmbedding.slot)); // (B, C, g, g)
    const g2 = patches.shape[2]! * patches.shape[3]!;
    const seq = permute(reshape(patches, [b, c, g2]), [0, 2, 1]); // (B, g², C)
    const cls = reshape(Module.value(this.classEmbedding), [1, 1, c]);
    const clsB = b === 1 ? cls : concat(Array.from({ length: b }, () => cls), 0);
    return add(concat([clsB, seq], 1), Module.value(this.positionEmbedding.slot));
  }
}

/** A module holding one `weight` (conv kernels, position tables). */
class WeightOnly extends Module {
  readonly slot: ParamSlot;
  constructor(shape: number[]) {
    super();
    this.slot = this.param('weight', shape, 'vector', 'normal');
  }
}

class ClipAttention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;
  constructor(readonly config: ClipVisionConfig) {
    super();
    const c = config.hiddenSize;
    this.k = this.child('k_proj', new Linear(c, c));
    this.v = this.child('v_proj', new Linear(c, c));
    this.q = this.child('q_proj', new Linear(c, c));
    this.out = this.child('out_proj', new Linear(c, c));
  }
  forward(x: Tensor): Tensor {
    const [b, t, c] = x.shape as [number, number, number];
    const h = this.config.numAttentionHeads;
    const hd = c / h;
    const split = (y: Tensor) => permute(reshape(y, [b, t, h, hd]), [0, 2, 1, 3]); // (B, H, T, hd)
    const q = split(mul(this.q.forward(x), hd ** -0.5));
    const scores = matmul(q, split(this.k.forward(x)), { transposeB: true }); // (B, H, T, T)
    const o = matmul(softmax(scores, -1), split(this.v.forward(x)));
    return this.out.forward(reshape(permute(o, [0, 2, 1, 3]), [b, t, c]));
  }
}

class ClipMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(readonly config: ClipVisionConfig) {
    super();
    this.fc1 = this.child('fc1', new Linear(config.hiddenSize, config.intermediateSize));
    this.fc2 = this.child('fc2', new Linear(config.intermediateSize, config.hiddenSize));
  }
  forward(x: Tensor): Tensor {
    const h = this.fc1.forward(x);
    if (this.config.hiddenAct !== 'quick_gelu') throw new Error(`CLIP teacher: activation ${this.config.hiddenAct} is not supported (quick_gelu)`);
    return this.fc2.forward(mul(h, sigmoid(mul(h, 1.702)))); // quick_gelu
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

/** `CLIPVisionModel` (keys under `vision_model.`), used as EVE's frozen teacher. */
export class ClipVisionModel extends Module {
  readonly embeddings: ClipEmbeddings;
  readonly preLayrnorm: LayerNorm;
  readonly layers: ClipEncoderLayer[] = [];
  readonly postLayernorm: LayerNorm;
  constructor(readonly config: ClipVisionConfig) {
    super();
    const vm = this.child('vision_model', new VisionModelScope());
    this.embeddings = vm.add('embeddings', new ClipEmbeddings(config));
    this.preLayrnorm = vm.add('pre_layrnorm', new LayerNorm(config.hiddenSize, config.layerNormEps));
    const encoder = vm.add('encoder', new VisionModelScope());
    const list = encoder.add('layers', new ModuleList());
    for (let i = 0; i < config.numHiddenLayers; i++) this.layers.push(list.add(new ClipEncoderLayer(config)));
    this.postLayernorm = vm.add('post_layernorm', new LayerNorm(config.hiddenSize, config.layerNormEps));
  }

  /**
   * Teacher features of one image: pixels [3, S, S] (channels 0..2 of `images_clip`) →
   * `hidden_states[selectLayer]` without the class token, [g², C]. No gradients.
   */
  patchFeatures(pixels: Tensor, selectLayer = -2): Tensor {
    const n = this.config.numHiddenLayers;
    const run = n + 1 + selectLayer; // hidden_states[k] is the output after k layers
    if (run < 0 || run > n) throw new Error(`CLIP teacher: select layer ${selectLayer} is out of range for ${n} layers`);
    return noGrad(() => {
      const [, s1, s2] = pixels.shape as [number, number, number];
      let x = this.preLayrnorm.forward(this.embeddings.forward(reshape(pixels, [1, 3, s1, s2])));
      for (let i = 0; i < run; i++) x = this.layers[i]!.forward(x);
      return sliceAxis(reshape(x, [x.shape[1]!, x.shape[2]!]), 0, 1, x.shape[1]!);
    });
  }
}

/** A key scope without parameters of its own (`vision_model`, `encoder`). */
class VisionModelScope extends Module {
  add<M extends Module>(name: string, m: M): M {
    return this.child(name, m);
  }
}
