/**
 * Training checkpoints in the official EVE/Hugging Face layout, plus the trainer's state:
 *
 *   config.json, preprocessor_config.json, tokenizer files, the teacher's config folder (copied)
 *   model.safetensors        every parameter under its HF key: the EVE model, the aligning layer
 *                            (`model.vision_tower_compressor.*`) and, with a CLIP teacher, the
 *                            teacher under both prefixes as EVE's `state_dict()` lists it
 *   optimizer.safetensors    AdamW moments (`<key>.exp_avg`, `<key>.exp_avg_sq`)
 *   trainer_state.json       step, epoch, position in the data order, seed, schedule, settings
 *
 * `loadPretrained` (and so `eve chat`) reads the folder directly and skips the training-only
 * keys. Folders are written atomically (./checkpoint-dir.ts).
 */
import { EveError } from '@evejs/tensor';
import { copyFile, cp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadSafetensors, saveSafetensors, type Tensor } from '@evejs/tensor';
import type { AdamW } from './adamw.js';
import { writeCheckpointDir } from './checkpoint-dir.js';
import { COMPRESSOR_PREFIX, TEACHER_ALIAS_PREFIX, TEACHER_PREFIX, type TrainingModel } from './training-model.js';

/** Files copied from the initial checkpoint when present. */
const COPIED_FILES = [
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer.model',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'generation_config.json',
];

/** What `trainer_state.json` holds. */
export interface TrainerState {
  format: 'evejs-trainer/1';
  stage: string;
  /** Optimizer steps taken. */
  step: number;
  totalSteps: number;
  /** Epoch and micro-batch position (within the epoch's order) of the next micro-batch. */
  epoch: number;
  position: number;
  seed: number;
  /** The data-order RNG state at the start of `epoch` (the permutation is re-derived from it). */
  rngState: number[];
  schedule: { kind: string; totalSteps: number; warmupRatio: number; warmupSteps: number };
  /** The settings of the run (to check that a resume uses the same ones). */
  settings: Record<string, unknown>;
  /** Per-step losses so far (also in the metrics log). */
  history: { step: number; loss: number; lm_loss: number; align_loss: number; lr: number; grad_norm: number }[];
}

/** The state dict written to model.safetensors. */
export function checkpointTensors(tm: TrainingModel): Record<string, Tensor> {
  const out: Record<string, Tensor> = { ...tm.model.stateDict() };
  if (tm.compressor) for (const [k, t] of Object.entries(tm.compressor.stateDict())) out[COMPRESSOR_PREFIX + k] = t;
  if (tm.teacher) {
    for (const [k, t] of Object.entries(tm.teacher.stateDict())) {
      out[TEACHER_PREFIX + k] = t;
      out[TEACHER_ALIAS_PREFIX + k] = t;
    }
  }
  return out;
}

/** Writes `<root>/checkpoint-<step>` atomically and points `latest` at it. */
export async function saveTrainingCheckpoint(
  root: string,
  tm: TrainingModel,
  optimizer: AdamW,
  state: TrainerState,
  extraConfig: Record<string, unknown> = {},
): Promise<string> {
  return writeCheckpointDir(root, `checkpoint-${state.step}`, async (dir) => {
    const config = { ...tm.config.raw, ...extraConfig, requires_cliploss: tm.compressor !== null };
    await writeFile(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    for (const f of COPIED_FILES) {
      const src = path.join(tm.dir, f);
      if (existsSync(src)) await copyFile(src, path.join(dir, f));
    }
    const tower = tm.config.mmVisionTower;
    if (tower && !path.isAbsolute(tower) && existsSync(path.join(tm.dir, tower))) await cp(path.join(tm.dir, tower), path.join(dir, tower), { recursive: true });
    if (tm.teacherConfigDir && tm.config.mmVisionTowerClip && !path.isAbsolute(tm.config.mmVisionTowerClip)) {
      await cp(tm.teacherConfigDir, path.join(dir, tm.config.mmVisionTowerClip), { recursive: true });
    }
    await saveSafetensors(path.join(dir, 'model.safetensors'), checkpointTensors(tm), { format: 'pt' });
    await saveSafetensors(path.join(dir, 'optimizer.safetensors'), optimizer.stateTensors(), { step: String(optimizer.step) });
    await writeFile(path.join(dir, 'trainer_state.json'), `${JSON.stringify(state, null, 1)}\n`);
  });
}

/** Reads `trainer_state.json` of a checkpoint folder. */
export async function readTrainerState(dir: string): Promise<TrainerState> {
  const state = JSON.parse(await readFile(path.join(dir, 'trainer_state.json'), 'utf8')) as TrainerState;
  if (state.format !== 'evejs-trainer/1') throw new EveError(`${dir}/trainer_state.json: unknown format ${String(state.format)}`);
  return state;
}

/** Restores AdamW's moments and step count from a checkpoint folder. */
export async function loadOptimizerState(dir: string, optimizer: AdamW, step: number, backend?: string): Promise<void> {
  const tensors = await loadSafetensors(path.join(dir, 'optimizer.safetensors'), { dtype: 'f32', ...(backend ? { backend } : {}) });
  optimizer.loadState(step, tensors);
}
