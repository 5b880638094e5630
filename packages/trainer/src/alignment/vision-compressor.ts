/**
 * EVE's patch aligning layer (`VisionCompressor` in EVEv1 vision_tokenizer.py), training only:
 * from the LLM's hidden states at an image's patch positions it predicts the teacher's patch
 * features. Keys (under `model.vision_tower_compressor.`): `norm_layer.{j}.{0,1}.*`,
 * `input_layer.*`, `output_layer.*`. Its `clip_layer` (the teacher) is not part of this module:
 * the teacher is a separate, frozen object (./clip-vision.ts or the shapes world's features).
 *
 * Layer selection: `layer_idx = n − 4k` for k = 0…⌊n/4⌋ (n decoder layers; index n is the
 * final-normed state, 0 the input embeddings). The first selected layer is the query of a
 * per-patch cross-attention over the others (no projections, `heads` heads, scale c^−½); the
 * prediction is `input_layer(X[n]) + output_layer(fused)`.
 */
import { add, mul, permute, reshape, sliceAxis, softmax, stack, sum, type Tensor, avgPool2d } from '@evejs/tensor';
import { Linear, Module, ModuleList, NormLinear, type ImageGrid } from '@evejs/model';

/** The layer indices EVE aligns: n, n−4, …, ≥ 0. */
export function alignedLayerIndices(numLayers: number, layerRate = 4): number[] {
  const out: number[] = [];
  for (let k = 0; k <= numLayers; k += layerRate) out.push(numLayers - k);
  return out;
}

/** The patch aligning layer. */
export class VisionCompressor extends Module {
  readonly layerIdx: number[];
  readonly normLayers: NormLinear[] = [];
  readonly inputLayer: Linear;
  readonly outputLayer: Linear;
  readonly scale: number;
  /**
   * @param llmSize decoder width D
   * @param numLayers decoder layers n
   * @param teacherSize teacher feature width c (CLIP hidden size, or 17 for the shapes world)
   * @param patchRatio EVE grid / teacher grid (2 for EVE-HD at 1344, else 1): 2×2 average pooling
   */
  constructor(
    readonly llmSize: number,
    readonly numLayers: number,
    readonly teacherSize: number,
    readonly patchRatio = 1,
    readonly numHeads = 8,
  ) {
    super();
    if (teacherSize % numHeads !== 0) throw new Error(`VisionCompressor: teacher width ${teacherSize} is not divisible by ${numHeads} heads`);
    this.layerIdx = alignedLayerIndices(numLayers);
    const list = this.child('norm_layer', new ModuleList());
    for (let j = 0; j < this.layerIdx.length; j++) this.normLayers.push(list.add(new NormLinear(llmSize, teacherSize)));
    this.inputLayer = this.child('input_layer', new Linear(llmSize, teacherSize));
    this.outputLayer = this.child('output_layer', new Linear(teacherSize, teacherSize));
    this.scale = teacherSize ** -0.5;
  }

  /**
   * Student features of one sample: `hiddenStates` (1 + n tensors [1, L, D], as LlamaModel
   * collects them), the image's first token position `start` (the `-200` position in the text
   * ids) and its grid → per layer [P, D] (class token and split column dropped, row-major).
   */
  studentFeatures(hiddenStates: readonly Tensor[], start: number, grid: ImageGrid): Tensor[] {
    const { rows: h, cols: w } = grid;
    return this.layerIdx.map((li) => {
        const hsl = hiddenStates[li]!;
        const d = hsl.shape[2]!;
        const seq = sliceAxis(reshape(hsl, [hsl.shape[1]!, d]), 0, start + 1, start + 1 + h * (w + 1)); // (h·(w+1), D)
        let x = sliceAxis(reshape(seq, [h, w + 1, d]), 1, 0, w); // (h, w, D)
        if (this.patchRatio > 1) {
          const chw = reshape(permute(x, [2, 0, 1]), [1, d, h, w]);
          const pooled = avgPool2d(chw, this.patchRatio); // (1, D, h/r, w/r)
          const [, , ph, pw] = pooled.shape as [number, number, number, number];
          x = permute(reshape(pooled, [d, ph, pw]), [1, 2, 0]);
        }
        return reshape(x, [x.shape[0]! * x.shape[1]!, d]); // (P, D)
      });
  }

  /**
   * The prediction [P, c] from per-layer features: `features[j]` belongs to `layerIdx[j]` (as
   * `studentFeatures` returns them; `features[0]` is the final-normed layer n).
   */
  forward(features: readonly Tensor[]): Tensor {
    const k = this.layerIdx.length;
    const base = this.inputLayer.forward(features[0]!); // (P, c)
    const p = base.shape[0]!;
    const c = this.teacherSize;
    const hd = c / this.numHeads;
    if (k === 1) {
      // No keys: the fused vector is empty (zeros), so output_layer contributes its bias only.
      return add(base, this.outputLayer.bias!);
    }
    const u = this.normLayers.map((nl, j) => nl.forward(features[j]!)); // k × (P, c)
    const q = reshape(u[0]!, [p, this.numHeads, 1, hd]); // (P, H, 1, hd)
    const kv = permute(reshape(stack(u.slice(1), 1), [p, k - 1, this.numHeads, hd]), [0, 2, 1, 3]); // (P, H, k−1, hd)
    const attn = softmax(sum(mul(mul(q, this.scale), kv), -1), -1); // (P, H, k−1)
    const fused = sum(mul(reshape(attn, [p, this.numHeads, k - 1, 1]), kv), 2); // (P, H, hd)
    return add(base, this.outputLayer.forward(reshape(fused, [p, c])));
  }
}

