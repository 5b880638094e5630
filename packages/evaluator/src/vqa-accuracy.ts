/**
 * VQA accuracy (EVE-SPEC §9.4), as `TextVQAAccuracyEvaluator` in the release's m4c_evaluator.py:
 * normalise the prediction and the ten human answers, then average min(1, matches/3) over the ten
 * leave-one-out subsets of nine answers. Exactly ten answers are required, as in the reference.
 */
import { EveError } from '@evejs/tensor';
import { normalizeAnswer } from './evalai-normalizer.js';

/**
 * Soft accuracy in [0, 1] of one prediction against the ten raw human answers.
 *
 * @example
 * vqaAccuracy('two', ['2', '2', '2', 'two', 'three', '2', '2', '2', '2', '2']); // 1
 */
export function vqaAccuracy(prediction: string, humanAnswers: readonly string[]): number {
  if (humanAnswers.length !== 10) {
    throw new EveError(`VQA accuracy needs exactly 10 human answers, got ${humanAnswers.length}`);
  }
  const pred = normalizeAnswer(prediction);
  const gts = humanAnswers.map(normalizeAnswer);
  const matches = gts.filter((g) => g === pred).length;
  if (matches === 0) return 0;
  let sum = 0;
  for (const g of gts) sum += Math.min(1, (matches - (g === pred ? 1 : 0)) / 3);
  return sum / gts.length;
}
