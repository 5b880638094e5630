/**
 * @evejs/trainer — EVE's training: AdamW as PyTorch computes it, Hugging Face's schedules,
 * gradient clipping, atomic checkpoints, metrics logs and loss curves.
 */
export { AdamW, type ParamGroup, type AdamWOptions } from './adamw.js';
export { lrMultiplier, warmupSteps, type Schedule, type ScheduleKind } from './lr-schedule.js';
export { clipGradNorm } from './clip-grad-norm.js';
export { MetricsLog, type StepMetrics } from './metrics-log.js';
export { writeLossCurve, lossCurveSvg } from './loss-curve.js';
export { assertFinite, TrainingDivergedError } from './divergence.js';
export { writeCheckpointDir, latestCheckpoint } from './checkpoint-dir.js';
