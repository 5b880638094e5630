/**
 * EVE's three training stages as the release runs them (scripts/eve/eve7b_{prealign,pretrain,
 * finetune}.sh, spec §7.1): which parameters train, the learning rates (including the separate
 * projector/vision rates of `EVETrainer.create_optimizer`), warmup, schedule, weight decay,
 * maximum length, template and the optimizer's constants. Batch sizes are the per-device values
 * of the scripts; the global batch (× 32 GPUs) is out of reach of one machine, so `eve train`
 * defaults to small batches and the preset's rates.
 */
import { EveError } from '@evejs/tensor';
import type { ScheduleKind } from './lr-schedule.js';

export type StageName = 'prealign' | 'pretrain' | 'sft';

/** Every hyperparameter of one stage. */
export interface StagePreset {
  stage: StageName;
  /** Conversation template: `plain` (captions) for stages 1–2, `v1` (vicuna_v1) for SFT. */
  template: 'plain' | 'v1';
  /** Base learning rate (`--learning_rate`). */
  lr: number;
  /** `--mm_projector_lr` (null: unset, one group rate). */
  projectorLr: number | null;
  /** `--vision_tower_lr` (only effective when `projectorLr` is set). */
  visionLr: number | null;
  warmupRatio: number;
  schedule: ScheduleKind;
  weightDecay: number;
  /** `--model_max_length`: text positions kept per sample. */
  maxLength: number;
  batchSize: number;
  gradAccum: number;
  maxGradNorm: number;
  betas: [number, number];
  eps: number;
  epochs: number;
}

const COMMON: Pick<StagePreset, 'schedule' | 'weightDecay' | 'maxGradNorm' | 'betas' | 'eps' | 'epochs' | 'gradAccum'> = {
  schedule: 'cosine',
  weightDecay: 0,
  maxGradNorm: 1,
  betas: [0.9, 0.999],
  eps: 1e-8,
  epochs: 1,
  gradAccum: 1,
};

/** The release's presets (EVE-7B; EVE-7B-HD's SFT differs in batch 2 × accum 2 and max length 4096). */
export const STAGE_PRESETS: Readonly<Record<StageName, StagePreset>> = {
  prealign: { ...COMMON, stage: 'prealign', template: 'plain', lr: 4e-5, projectorLr: 4e-4, visionLr: 4e-4, warmupRatio: 0.03, maxLength: 2048, batchSize: 16 },
  pretrain: { ...COMMON, stage: 'pretrain', template: 'plain', lr: 4e-5, projectorLr: null, visionLr: null, warmupRatio: 0.01, maxLength: 2048, batchSize: 16 },
  sft: { ...COMMON, stage: 'sft', template: 'v1', lr: 2e-5, projectorLr: null, visionLr: null, warmupRatio: 0.01, maxLength: 2048, batchSize: 4 },
};

/** Parses a stage name. */
export function parseStage(s: string): StageName {
  if (s === 'prealign' || s === 'pretrain' || s === 'sft') return s;
  throw new EveError(`unknown stage ${JSON.stringify(s)} (prealign, pretrain or sft)`);
}

/**
 * Whether a parameter trains in a stage. Names containing `clip` (the teacher) never train.
 * Stage 1: names containing `vision_tower` (the patch embedding layer and, by substring, the
 * aligning layer `vision_tower_compressor`) or `mm_projector`; the LLM is frozen. Stages 2–3:
 * everything else.
 */
export function isTrainable(stage: StageName, name: string): boolean {
  if (name.includes('clip')) return false;
  if (stage === 'prealign') return name.includes('vision_tower') || name.includes('mm_projector');
  return true;
}
