/**
 * EVE's patch aligning layer (`model.vision_tower_compressor`, `VisionCompressor` in
 * vision_tokenizer.py), used only in training: it maps the LLM's hidden states at the image-patch
 * positions to the CLIP teacher's patch features and scores them with a cosine loss.
 *
 * For every patch it projects the states of layers n, n−4, …, 0 (`layer_idx`) through
 * LayerNorm + Linear, lets the first (final normed state) attend to the others (8 heads, scale
 * c^-½, no projections), and adds `output_layer` of that to `input_layer` of the final state.
 * The teacher (`clip_layer`) is not a child here: EVE shares it with `model.vision_clip`, so its
 * weights appear under both prefixes in the checkpoint and are loaded once (ClipVisionTower).
 */
import { add, cosineSimilarity, EveError, gather, matmul, mean, mul, permute, reshape, slice, sliceAxis, softmax, stack, sub, tensor, type Tensor, zeros } from '@evejs/tensor';
import type { VisionProcessorConfig } from './eve-config.js';
import { Linear, NormLinear } from './layers.js';
import { Module, ModuleList } from './module.js';
import type { ImageGrid } from './vision-tokenizer.js';

export class VisionCompressor extends Module {
  readonly normLayers: NormLinear[] = [];
  readonly inputLayer: Linear;
  readonly outputLayer: Linear;
  /** Hidden-state indices fused, final first: n, n−4, …. */
  readonly layerIdx: number[];
  /** EVE pooled grid cells per teacher patch along each side (1 at 672, 2 at 1344). */
  readonly patchRatio: number;
  constructor(
    readonly llmSize: number,
    readonly numLayers: number,
    readonly clipSize: number,
    readonly processor: VisionProcessorConfig,
    readonly numHeads = 8,
  ) {
    super();
    this.layerIdx = [];
    for (let k = 0; k <= numLayers; k += 4) this.layerIdx.push(numLayers - k);
    const list = this.child('norm_layer', new ModuleList());
    for (let j = 0; j < this.layerIdx.length; j++) this.normLayers.push(list.add(new NormLinear(llmSize, clipSize)));
    this.inputLayer = this.child('input_layer', new Linear(llmSize, clipSize));
    this.outputLayer = this.child('output_layer', new Linear(clipSize, clipSize));
    const maxPatch = Math.floor(processor.imageSize / processor.patchStride / processor.convStride);
    const maxPatchClip = Math.floor(processor.imageSizeClip / processor.patchStrideClip);
    if (maxPatch % maxPatchClip !== 0) throw new EveError(`aligning layer: EVE grid ${maxPatch} is not a multiple of the teacher grid ${maxPatchClip}`);
    this.patchRatio = maxPatch / maxPatchClip;
  }

  /**
   * Predicted teacher features [P, c] for one sample. `hiddenStates` are the decoder's
   * `numLayers + 1` states ([1, L, D] or [L, D], HF order: embeddings … final normed);
   * `imageStart` is the position of the image's first token (its class token); `grid` its rows × cols.
   */
  predict(hiddenStates: readonly Tensor[], imageStart: number, grid: ImageGrid): Tensor {
    if (hiddenStates.length !== this.numLayers + 1) throw new EveError(`aligning layer: expected ${this.numLayers + 1} hidden states, got ${hiddenStates.length}`);
    const { rows: h, cols: w } = grid;
    const r = this.patchRatio;
    const patches = (state: Tensor): Tensor => {
      const s = state.rank === 3 ? reshape(state, state.shape.slice(1)) : state; // (L, D)
      const d = s.shape[1]!;
      const n = Math.min(s.shape[0]! - imageStart, h * (w + 1) + 1);
      if (n < h * (w + 1) + 1) throw new EveError('aligning layer: the sequence ends inside the image tokens');
      const grid3 = slice(reshape(sliceAxis(s, 0, imageStart + 1, imageStart + n), [h, w + 1, d]), [0, 0, 0], [h, w, d]); // drop split tokens
      const pooled = r > 1 ? mean(reshape(slice(grid3, [0, 0, 0], [Math.floor(h / r) * r, Math.floor(w / r) * r, d]), [Math.floor(h / r), r, Math.floor(w / r), r, d]), [1, 3]) : grid3;
      return reshape(pooled, [-1, d]); // (P, D) row-major
    };
    const u = this.layerIdx.map((li, j) => this.normLayers[j]!.forward(patches(hiddenStates[li]!))); // each (P, c)
    const p = u[0]!.shape[0]!;
    const c = this.clipSize;
    const hd = c / this.numHeads;
    let fused: Tensor;
    if (u.length > 1) {
      const q = reshape(u[0]!, [p, this.numHeads, 1, hd]);
      const kv = permute(reshape(stack(u.slice(1), 1), [p, u.length - 1, this.numHeads, hd]), [0, 2, 1, 3]); // (P, heads, n−1, hd)
      const attn = softmax(mul(matmul(q, kv, { transposeB: true }), c ** -0.5), -1); // (P, heads, 1, n−1)
      fused = reshape(matmul(attn, kv), [p, c]);
    } else {
      fused = zeros([p, c]); // no keys: the reference's empty softmax sums to zero
    }
    return add(this.inputLayer.forward(patches(hiddenStates[this.numLayers]!)), this.outputLayer.forward(fused));
  }

  /**
   * The teacher patches the prediction is compared with: row-major indices of the teacher
   * patches whose mask (channel 3 of the teacher image, [M, M] host values) is 1.
   */
  validTeacherPatches(mask: Float32Array, size: number): number[] {
    const k = this.processor.patchStrideClip;
    const g = Math.floor(size / k);
    const out: number[] = [];
    for (let i = 0; i < g; i++) {
      for (let j = 0; j < g; j++) {
        let s = 0;
        for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) s += mask[(i * k + y) * size + j * k + x]!;
        if (s !== 0 && s !== k * k) throw new EveError(`teacher mask: patch (${i}, ${j}) is partly masked`);
        if (s !== 0) out.push(i * g + j);
      }
    }
    return out;
  }

  /** 1 − mean cosine similarity between the prediction [P, c] and the selected teacher patches. */
  loss(prediction: Tensor, teacherFeatures: Tensor, validPatches: readonly number[]): Tensor {
    if (validPatches.length !== prediction.shape[0]) {
      throw new EveError(`aligning layer: ${prediction.shape[0]} predicted patches but ${validPatches.length} valid teacher patches`);
    }
    const target = gather(teacherFeatures, tensor(Int32Array.from(validPatches), [validPatches.length]));
    return sub(1, mean(cosineSimilarity(prediction, target, -1)));
  }
}
