/**
 * EVE's vision tokenizer (`model.vision_tower`, `VisionTokenizer` in EVE's
 * vision_tokenizer.py): a patch convolution over the valid region of the padded canvas, a 2×2
 * local cross-attention pooling, a class token from global attention over the pooled grid, and a
 * split token after every row. No positional embeddings; no vision transformer.
 *
 * Deliberate differences from the reference, none numerical: the convolution runs only over the
 * cropped valid region (the reference convolves the whole canvas and crops afterwards; patches
 * are independent, so the result is the same), and the crop box is computed on the host from
 * the mask plane, since it decides shapes.
 */
import {
  add,
  broadcastTo,
  concat,
  conv2dPatchify,
  EveError,
  matmul,
  mean,
  mul,
  permute,
  reshape,
  slice,
  sliceAxis,
  softmax,
  type Tensor,
} from '@evejs/tensor';
import { Linear, NormLinear } from './layers.js';
import { Module, type ParamSlot } from './module.js';

/** The valid patch box of one image, inclusive patch coordinates (row-major first/last non-zero). */
export interface ImageCrop {
  h1: number;
  w1: number;
  h2: number;
  w2: number;
  /** The mask was all zero (training's blank image): the top-left 16×16 patches are used. */
  isBlank: boolean;
}

/** Patch grid of the pooled tokens: `rows` × `cols`, giving 1 + rows·(cols + 1) image tokens. */
export interface ImageGrid {
  rows: number;
  cols: number;
}

/**
 * The crop box from the mask plane (channel 3, [height, width] row-major), pooled with
 * kernel = stride = `patchStride`. Every patch must be all-0 or all-1 (EVE asserts this).
 */
export function cropFromMask(mask: Float32Array, height: number, width: number, patchStride: number): ImageCrop {
  const hp = Math.floor(height / patchStride);
  const wp = Math.floor(width / patchStride);
  let first = -1;
  let last = -1;
  const full = patchStride * patchStride;
  for (let i = 0; i < hp; i++) {
    for (let j = 0; j < wp; j++) {
      let s = 0;
      for (let y = 0; y < patchStride; y++) {
        const row = (i * patchStride + y) * width + j * patchStride;
        for (let x = 0; x < patchStride; x++) s += mask[row + x]!;
      }
      if (s !== 0 && s !== full) throw new EveError(`image mask: patch (${i}, ${j}) is partly masked (${s}/${full}); masks must align to the ${patchStride}-pixel grid`);
      if (s !== 0) {
        if (first < 0) first = i * wp + j;
        last = i * wp + j;
      }
    }
  }
  if (first < 0) return { h1: 0, w1: 0, h2: Math.min(16, hp) - 1, w2: Math.min(16, wp) - 1, isBlank: true };
  return { h1: Math.floor(first / wp), w1: first % wp, h2: Math.floor(last / wp), w2: last % wp, isBlank: false };
}

/** The pooled grid a crop gives with 2×2 (conv_stride) pooling. */
export function gridOfCrop(crop: ImageCrop, convStride: number): ImageGrid {
  return { rows: Math.floor((crop.h2 - crop.h1 + 1) / convStride), cols: Math.floor((crop.w2 - crop.w1 + 1) / convStride) };
}

/** Number of image tokens for a grid: class + rows × (cols + split). */
export function imageTokenCount(grid: ImageGrid): number {
  return 1 + grid.rows * (grid.cols + 1);
}

/** Shared layout of EVE's local and global attention: `q`, `kv` (LayerNorm + Linear) and `proj`. */
abstract class PoolingAttention extends Module {
  readonly q: NormLinear;
  readonly kv: NormLinear;
  readonly proj: Linear;
  readonly headDim: number;
  /** EVE scales by input_size^-½ (1/32 for 1024), not head_dim^-½. */
  readonly scale: number;
  constructor(
    readonly inputSize: number,
    readonly numHeads = 8,
  ) {
    super();
    this.q = this.child('q', new NormLinear(inputSize, inputSize));
    this.kv = this.child('kv', new NormLinear(inputSize, 2 * inputSize));
    this.proj = this.child('proj', new Linear(inputSize, inputSize));
    this.headDim = inputSize / numHeads;
    this.scale = inputSize ** -0.5;
  }

  /** Keys and values [..., n, 2C] → each [..., heads, n, hd] (first C channels are keys). */
  protected splitKv(kv: Tensor): { k: Tensor; v: Tensor } {
    const c = this.inputSize;
    const lead = kv.shape.slice(0, -2);
    const n = kv.shape[kv.rank - 2]!;
    const perm = [...lead.map((_, i) => i), lead.length + 1, lead.length, lead.length + 2];
    const heads = (t: Tensor) => permute(reshape(t, [...lead, n, this.numHeads, this.headDim]), perm);
    return { k: heads(sliceAxis(kv, -1, 0, c)), v: heads(sliceAxis(kv, -1, c, 2 * c)) };
  }
}

/** 2×2 window cross-attention: each pooled cell queries its own four patches. */
export class LocalAttention extends PoolingAttention {
  constructor(
    inputSize: number,
    readonly convStride = 2,
  ) {
    super(inputSize);
  }
  /** features [H, W, C] (channels last) → tokens [h·w, C] row-major. */
  forward(features: Tensor): Tensor {
    const [hIn, wIn, c] = features.shape as [number, number, number];
    const s = this.convStride;
    const h = Math.floor(hIn / s);
    const w = Math.floor(wIn / s);
    const f = h * s === hIn && w * s === wIn ? features : slice(features, [0, 0, 0], [h * s, w * s, c]);
    // window n = dy·s + dx, as the reference's unfold + flatten orders it
    const windows = reshape(permute(reshape(f, [h, s, w, s, c]), [0, 2, 1, 3, 4]), [h * w, s * s, c]); // (hw, N, C)
    const pooled = mean(windows, 1); // (hw, C): avg_pool2d
    const q = reshape(this.q.forward(pooled), [h * w, this.numHeads, 1, this.headDim]); // (hw, heads, 1, hd)
    const { k, v } = this.splitKv(this.kv.forward(windows)); // (hw, heads, N, hd)
    const attn = softmax(mul(matmul(q, k, { transposeB: true }), this.scale), -1); // (hw, heads, 1, N)
    const o = reshape(matmul(attn, v), [h * w, c]); // heads concatenated head-major
    return add(pooled, this.proj.forward(o));
  }
}

/** The class token attends to every pooled token. */
export class GlobalAttention extends PoolingAttention {
  /** classEmbed [C], tokens [n, C] → class token [1, C]. */
  forward(classEmbed: Tensor, tokens: Tensor): Tensor {
    const c = this.inputSize;
    const cls = reshape(classEmbed, [1, c]);
    const q = reshape(this.q.forward(cls), [this.numHeads, 1, this.headDim]); // (heads, 1, hd)
    const { k, v } = this.splitKv(this.kv.forward(tokens)); // (heads, n, hd)
    const attn = softmax(mul(matmul(q, k, { transposeB: true }), this.scale), -1); // (heads, 1, n)
    const o = reshape(matmul(attn, v), [1, c]);
    return add(cls, this.proj.forward(o));
  }
}

/** The patch convolution `patch_embedding` (3 → C, kernel = stride = patch size, no bias). */
export class PatchEmbedding extends Module {
  readonly weightSlot: ParamSlot;
  constructor(
    readonly outChannels: number,
    readonly patchSize: number,
  ) {
    super();
    // Kept f32: conv2dPatchify reshapes it into a matmul operand; it is small (C·3·14·14).
    this.weightSlot = this.param('weight', [outChannels, 3, patchSize, patchSize], 'vector', 'normal');
  }
  /** pixels [1, 3, H, W] → [Hp, Wp, C] (channels last). */
  forward(pixels: Tensor): Tensor {
    const y = conv2dPatchify(pixels, Module.value(this.weightSlot, 'patch_embedding weight')); // (1, C, Hp, Wp)
    return reshape(permute(y, [0, 2, 3, 1]), y.shape.slice(2).concat([this.outChannels]));
  }
}

export class VisionTokenizer extends Module {
  readonly patchEmbedding: PatchEmbedding;
  readonly classEmbedding: ParamSlot;
  readonly splitEmbedding: ParamSlot;
  readonly localAttention: LocalAttention;
  readonly globalAttention: GlobalAttention;
  constructor(
    readonly inputSize: number,
    readonly patchStride = 14,
    readonly convStride = 2,
  ) {
    super();
    this.patchEmbedding = this.child('patch_embedding', new PatchEmbedding(inputSize, patchStride));
    this.classEmbedding = this.param('class_embedding', [inputSize], 'vector', 'normal');
    this.splitEmbedding = this.param('split_embedding', [inputSize], 'vector', 'normal');
    this.localAttention = this.child('local_attention', new LocalAttention(inputSize, convStride));
    this.globalAttention = this.child('global_attention', new GlobalAttention(inputSize));
  }

  /**
   * One image [4, H, W] (3 normalised colour planes + mask) with its crop box → vision tokens
   * [1 + rows·(cols+1), C]: class token, then each row of pooled tokens followed by a split token.
   */
  forward(pixelValues: Tensor, crop: ImageCrop): { tokens: Tensor; grid: ImageGrid } {
    const ps = this.patchStride;
    const rows = crop.h2 - crop.h1 + 1;
    const cols = crop.w2 - crop.w1 + 1;
    const pixels = reshape(slice(pixelValues, [0, crop.h1 * ps, crop.w1 * ps], [3, rows * ps, cols * ps]), [1, 3, rows * ps, cols * ps]);
    const patches = this.patchEmbedding.forward(pixels); // (Hp, Wp, C)
    const grid = gridOfCrop(crop, this.convStride);
    if (grid.rows === 0 || grid.cols === 0) throw new EveError(`image: the valid region (${rows}×${cols} patches) is smaller than one ${this.convStride}×${this.convStride} window`);
    const tokens = this.localAttention.forward(patches); // (h·w, C)
    const cls = this.globalAttention.forward(Module.value(this.classEmbedding, 'class_embedding'), tokens); // (1, C)
    const c = this.inputSize;
    const split = broadcastTo(reshape(Module.value(this.splitEmbedding, 'split_embedding'), [1, 1, c]), [grid.rows, 1, c]);
    const withSplit = reshape(concat([reshape(tokens, [grid.rows, grid.cols, c]), split], 1), [grid.rows * (grid.cols + 1), c]);
    return { tokens: concat([cls, withSplit], 0), grid };
  }
}
