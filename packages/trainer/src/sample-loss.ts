/**
 * One micro-batch's losses and gradients, computed as a loop of batch-1 forwards.
 *
 * EVE trains on right-padded batches with an attention mask. With right padding and a causal
 * mask, a real position never attends to a padded one, so every real position's logits and
 * hidden states are exactly those of the sample run alone. The language-model loss is the mean
 * cross-entropy over all non-ignored (shifted) labels of the micro-batch; padded positions carry
 * −100. So `L_LM = Σ_b S_b / Σ_b n_b` with `S_b` the summed token losses of sample b and `n_b` its
 * count of supervised tokens — which is what this loop computes. The alignment loss is already a
 * per-sample sum divided by the number of image samples. Because both are sums over samples
 * with denominators known before any forward (n_b from the labels), each sample's share
 * `(S_b / Σn + ℓ_b / #img) / accum` is back-propagated right after its forward: gradients add up
 * to those of the batched loss while only one sample's graph is alive at a time.
 *
 * Text-only samples contribute `1 − cos(ŷ, stopgrad(ŷ))` to the alignment loss in EVE: value 0
 * and a gradient that vanishes (the cosine is at its maximum), so they are skipped here.
 */
import { EveError } from '@evejs/tensor';
import { add, cosineSimilarity, crossEntropy, gather, keep, mean, mul, reshape, sub, tensor, type Tensor, tidy } from '@evejs/tensor';
import { IMAGE_TOKEN_INDEX, type EveForCausalLM, type VisionCompressor } from '@evejs/model';
import type { TrainingSample } from './training-data.js';

const IGNORE_INDEX = -100;

/** Spliced labels: the `-200` label is replaced by `imageTokens` copies of −100 (§5.3). */
export function spliceLabels(inputIds: readonly number[], labels: readonly number[], imageTokens: number): number[] {
  const out: number[] = [];
  inputIds.forEach((id, i) => {
    if (id === IMAGE_TOKEN_INDEX) for (let k = 0; k < imageTokens; k++) out.push(IGNORE_INDEX);
    else out.push(labels[i]!);
  });
  return out;
}

/** Supervised tokens of a sample after the one-step shift (labels 1…L−1 that are not −100). */
export function supervisedTokenCount(inputIds: readonly number[], labels: readonly number[]): number {
  // Image positions are all −100 and position 0's label is never predicted.
  let n = 0;
  for (let i = 1; i < labels.length; i++) if (inputIds[i] !== IMAGE_TOKEN_INDEX && labels[i] !== IGNORE_INDEX) n++;
  return n;
}

/** Fewest positions the LM head is applied to (see headRows). */
const MIN_HEAD_ROWS = 8;

/**
 * The positions whose logits the loss needs: those whose next label is supervised (a fine-tuning
 * sample supervises about one position in ten, and the head with its softmax over the vocabulary
 * is about 5 % of the model's arithmetic per position, more with the softmax and its gradient). The other positions' loss terms and
 * gradients are exact zeros, so leaving them out changes no sum. At least MIN_HEAD_ROWS positions
 * are kept, in order, padded with unsupervised ones: the CPU matmul computes products of four rows
 * or fewer with another kernel (dot products, summed in another order), and with the padding every
 * sample's logits round exactly as they did when all positions went through the head.
 */
export function headRows(spliced: readonly number[]): number[] {
  const predicted = spliced.length - 1; // position i predicts label i + 1
  const keep = new Array<boolean>(predicted).fill(false);
  let n = 0;
  const take = (i: number) => {
    keep[i] = true;
    n++;
  };
  for (let i = 0; i < predicted; i++) if (spliced[i + 1] !== IGNORE_INDEX) take(i);
  for (let i = 0; i < predicted && n < MIN_HEAD_ROWS; i++) if (!keep[i]) take(i);
  const rows: number[] = [];
  keep.forEach((k, i) => k && rows.push(i));
  return rows;
}

export interface MicroBatchResult {
  /** Mean token cross-entropy over the micro-batch. */
  lmLoss: number;
  /** Σ ℓ_b / max(#image samples, 1). */
  alignLoss: number;
  /** Supervised tokens. */
  tokens: number;
  /** Sequence positions processed (spliced lengths). */
  positions: number;
}

/**
 * Forward and backward of one micro-batch; gradients are added to the parameters' `.grad`,
 * scaled by `1 / gradAccum`. `compressor` null: no alignment loss.
 */
export async function microBatchStep(
  model: EveForCausalLM,
  compressor: VisionCompressor | null,
  samples: readonly TrainingSample[],
  gradAccum: number,
): Promise<MicroBatchResult> {
  const totalTokens = samples.reduce((a, s) => a + supervisedTokenCount(s.inputIds, s.labels), 0);
  const useAlign = compressor !== null;
  // As EVE's aligning layer: a sample counts as an image sample when its ids still hold the
  // placeholder (truncation to model_max_length can cut it away).
  const hasPlaceholder = (s: TrainingSample) => s.inputIds.includes(IMAGE_TOKEN_INDEX);
  const numImages = samples.filter(hasPlaceholder).length;
  let lmSum = 0;
  let alignSum = 0;
  let positions = 0;
  for (const s of samples) {
    const withImage = hasPlaceholder(s);
    const withAlign = useAlign && withImage;
    if (withAlign && !s.teacher) throw new EveError(`sample ${s.index}: the alignment loss needs teacher features`);
    const parts = tidy(() => {
      const { embeds, imageGrids } = model.embedInputs(s.inputIds, withImage ? [s.image] : []);
      const hidden: Tensor[] = [];
      const h = model.model.forward(embeds, undefined, withAlign ? hidden : undefined); // (1, L, C)
      const len = h.shape[1]!;
      const imageTokens = withImage ? len - (s.inputIds.length - 1) : 0;
      const spliced = spliceLabels(s.inputIds, s.labels, imageTokens);
      const count = supervisedTokenCount(s.inputIds, s.labels);
      const terms: Tensor[] = [];
      let lm: Tensor | null = null;
      if (count > 0) {
        const rows = headRows(spliced);
        const logits = model.lmHead.forward(gather(reshape(h, [len, h.shape[2]!]), tensor(Int32Array.from(rows), [rows.length], { dtype: 'i32' }))); // (rows, V)
        const targets = tensor(Int32Array.from(rows, (i) => spliced[i + 1]!), [rows.length], { dtype: 'i32' });
        lm = mul(crossEntropy(logits, targets), count); // Σ token losses
        terms.push(mul(lm, 1 / (totalTokens * gradAccum)));
      }
      let align: Tensor | null = null;
      if (withAlign) {
        const start = s.inputIds.indexOf(IMAGE_TOKEN_INDEX);
        const pred = compressor!.predict(hidden, start, imageGrids[0]!); // (P, c)
        const teacher = s.teacher!;
        if (teacher.shape[0] !== pred.shape[0] || teacher.shape[1] !== pred.shape[1]) {
          throw new EveError(
            `sample ${s.index}: the aligning layer predicts [${pred.shape.join(', ')}] but the teacher gives [${teacher.shape.join(', ')}] ` +
              '(EVE grid and teacher grid must match: image_size/patch_stride/conv_stride = image_size_clip/patch_stride_clip × patch ratio)',
          );
        }
        align = sub(1, mean(cosineSimilarity(pred, teacher, -1)));
        terms.push(mul(align, 1 / (Math.max(numImages, 1) * gradAccum)));
      }
      if (terms.length > 0) terms.reduce((a, b) => add(a, b)).backward();
      return { lm: lm ? keep(lm) : null, align: align ? keep(align) : null, len };
    });
    if (parts.lm) lmSum += (await parts.lm.data())[0]!;
    if (parts.align) alignSum += (await parts.align.data())[0]!;
    parts.lm?.dispose();
    parts.align?.dispose();
    positions += parts.len;
  }
  return {
    lmLoss: totalTokens > 0 ? lmSum / totalTokens : NaN,
    alignLoss: useAlign ? alignSum / Math.max(numImages, 1) : 0,
    tokens: totalTokens,
    positions,
  };
}
