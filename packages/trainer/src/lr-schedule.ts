/**
 * Learning-rate multipliers as Hugging Face's Trainer computes them (EVE relies on them):
 * `warmup = ceil(ratio · total)`; during warmup `t / warmup`; then cosine decay to 0
 * (`0.5·(1 + cos(π·progress))`) or constant 1. `t` counts optimizer steps taken **before** the
 * current one, so the very first step runs at multiplier 0 when there is warmup.
 */
export type ScheduleKind = 'cosine' | 'constant';

export interface Schedule {
  kind: ScheduleKind;
  totalSteps: number;
  warmupRatio: number;
}

export function warmupSteps(s: Schedule): number {
  return Math.ceil(s.warmupRatio * s.totalSteps);
}

/** The multiplier of every group's base rate at step `t` (0-based: steps already taken). */
export function lrMultiplier(s: Schedule, t: number): number {
  const warmup = warmupSteps(s);
  if (t < warmup) return t / Math.max(1, warmup);
  if (s.kind === 'constant') return 1;
  const progress = (t - warmup) / Math.max(1, s.totalSteps - warmup);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
}
