/**
 * Losses and similarities composed from other ops (so every backend has them and their
 * gradients for free): cross-entropy with an ignore index, and cosine similarity.
 */
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { cast, div, maximum, mul, neg, notEqual, sqrt } from './elementwise.js';
import { oneHot } from './gather.js';
import { sum } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { reshape } from './views.js';
import { requireDType } from './util.js';

export interface CrossEntropyOptions {
  /** Targets equal to this are ignored (default -100, as PyTorch and EVE's labels). */
  ignoreIndex?: number;
}

/**
 * Mean cross-entropy of `logits` [..., V] against i32 `targets` [...], over the targets that are
 * not `ignoreIndex` (PyTorch `F.cross_entropy(..., ignore_index=-100)`; NaN if all are ignored).
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  requireDType('crossEntropy', targets, ['i32']);
  const v = logits.shape[logits.rank - 1]!;
  if (targets.size * v !== logits.size) {
    throw new ShapeError(`crossEntropy: logits [${logits.shape.join(', ')}] do not match targets [${targets.shape.join(', ')}]`);
  }
  const ignore = opts.ignoreIndex ?? -100;
  const flatLogits = reshape(logits, [targets.size, v]);
  const flatTargets = reshape(targets, [targets.size]);
  const lsm = logSoftmax(flatLogits, -1);
  const kept = cast(notEqual(flatTargets, ignore), 'f32'); // (N,)
  // oneHot already zeroes rows of out-of-range targets (-100), but an ignoreIndex inside [0, V)
  // would still pick a class, so the rows are masked explicitly.
  const picked = sum(mul(lsm, mul(oneHot(flatTargets, v), reshape(kept, [targets.size, 1])))); // Σ log p(target) over kept rows
  const count = sum(kept);
  return div(neg(picked), count);
}

/**
 * Cosine similarity along `axis`: Σab / √max(Σa²·Σb², eps²) (PyTorch's `F.cosine_similarity`).
 */
export function cosineSimilarity(a: Tensor, b: Tensor, axis = -1, eps = 1e-8): Tensor {
  const dot = sum(mul(a, b), axis);
  const na = sum(mul(a, a), axis);
  const nb = sum(mul(b, b), axis);
  return div(dot, sqrt(maximum(mul(na, nb), eps * eps)));
}
