/**
 * Binary yes/no metrics with "yes" as the positive class (POPE, EVE-SPEC §9.5): accuracy,
 * precision, recall, F1 and the share of "yes" answers, as fractions in [0, 1].
 */
export interface YesNoMetrics {
  TP: number;
  FP: number;
  TN: number;
  FN: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  yesRatio: number;
}

/**
 * Computes the metrics from parallel predictions and labels (true = yes). Where the reference
 * would divide by zero (no positive predictions or labels) the value is 0.
 */
export function yesNoMetrics(predictions: readonly boolean[], labels: readonly boolean[]): YesNoMetrics {
  let TP = 0;
  let FP = 0;
  let TN = 0;
  let FN = 0;
  const n = Math.min(predictions.length, labels.length);
  for (let i = 0; i < n; i++) {
    const p = predictions[i]!;
    const l = labels[i]!;
    if (p && l) TP++;
    else if (p && !l) FP++;
    else if (!p && !l) TN++;
    else FN++;
  }
  const precision = TP + FP ? TP / (TP + FP) : 0;
  const recall = TP + FN ? TP / (TP + FN) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  const yesCount = predictions.filter(Boolean).length;
  return {
    TP, FP, TN, FN,
    accuracy: n ? (TP + TN) / (TP + TN + FP + FN) : 0,
    precision,
    recall,
    f1,
    yesRatio: predictions.length ? yesCount / predictions.length : 0,
  };
}
