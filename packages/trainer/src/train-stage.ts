/**
 * One stage end to end, as `eve train --stage` runs it: resolve the settings (stage preset, then
 * overrides), load the model from `--model` (or from the latest checkpoint under `--out` with
 * `resume`), the tokenizer and image processor from the same folder, the records and the teacher
 * (CLIP from the checkpoint, or the shapes world's features from `scenes.jsonl`), run the loop,
 * append metrics to a JSONL log and draw the loss curve next to the checkpoints.
 */
import { EveError } from '@evejs/tensor';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseProcessorConfig } from '@evejs/image';
import { loadTokenizer } from '@evejs/tokenizer';
import { TEACHER_FEATURE_DIM } from '@evejs/datasets';
import { latestCheckpoint } from './checkpoint-dir.js';
import { writeLossCurve } from './loss-curve.js';
import { MetricsLog } from './metrics-log.js';
import { STAGE_PRESETS, type StageName } from './stage-presets.js';
import { runTraining, type RunTrainingResult, type StepReport, type TrainSettings } from './train.js';
import { readTrainerState } from './training-checkpoint.js';
import { readRecords, readShapesScenes, SampleBuilder, type TeacherSource } from './training-data.js';
import { loadTrainingModel, type TeacherKind } from './training-model.js';

/** Width the shapes world's teacher features are padded to (17 → 24, a multiple of 8 heads). */
export const SHAPES_TEACHER_WIDTH = Math.ceil(TEACHER_FEATURE_DIM / 8) * 8;

export interface TrainStageOptions {
  stage: StageName;
  /** Initial checkpoint folder (official layout). */
  modelDir: string;
  /** LLaVA-style JSON. */
  dataPath: string;
  imageFolder?: string;
  /** Checkpoint root. */
  outDir: string;
  teacher: TeacherKind;
  /** scenes.jsonl for `teacher: 'shapes'` (default: next to the data file). */
  scenesPath?: string;
  /** Overrides of the stage preset. */
  overrides?: Partial<TrainSettings> & { maxLength?: number };
  logFile?: string;
  resume?: boolean;
  backend?: string;
  saveEvery?: number;
  stopAfter?: number;
  deadlineMs?: number;
  onStep?: (r: StepReport) => void;
  log?: (message: string) => void;
}

/** The settings a stage runs with: the preset, then the overrides. */
export function stageSettings(stage: StageName, overrides: Partial<TrainSettings> = {}): TrainSettings {
  const p = STAGE_PRESETS[stage];
  const base: TrainSettings = {
    stage,
    epochs: p.epochs,
    batchSize: p.batchSize,
    gradAccum: p.gradAccum,
    lr: p.lr,
    projectorLr: p.projectorLr,
    visionLr: p.visionLr,
    warmupRatio: p.warmupRatio,
    schedule: p.schedule,
    weightDecay: p.weightDecay,
    maxGradNorm: p.maxGradNorm,
    betas: p.betas,
    eps: p.eps,
    seed: 0,
    shuffle: true,
  };
  const out = { ...base };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  // `--vision-lr` alone: the release only splits groups when the projector rate is set, so the
  // vision rate also becomes the projector rate (as stage 1's script sets both to 4e-4).
  if (overrides.visionLr !== undefined && overrides.projectorLr === undefined && out.projectorLr === null) out.projectorLr = overrides.visionLr;
  return out;
}

/** Runs one stage; returns the loop's result and where things were written. */
export async function trainStage(opts: TrainStageOptions): Promise<RunTrainingResult & { lossCurve: string; settings: TrainSettings }> {
  const log = opts.log ?? (() => {});
  const settings = stageSettings(opts.stage, opts.overrides);
  const maxLength = opts.overrides?.maxLength ?? STAGE_PRESETS[opts.stage].maxLength;
  const resumeFrom = opts.resume ? await latestCheckpoint(opts.outDir) : null;
  if (opts.resume && !resumeFrom) log(`no checkpoint under ${opts.outDir}: starting from ${opts.modelDir}`);
  const source = resumeFrom ?? opts.modelDir;
  const tm = await loadTrainingModel(source, {
    teacher: opts.teacher,
    shapesTeacherDim: SHAPES_TEACHER_WIDTH,
    seed: settings.seed,
    ...(opts.backend ? { backend: opts.backend } : {}),
  });
  log(`model ${source}: ${tm.model.numParameters()} parameters${tm.compressor ? `, aligning layer ${tm.compressor.numParameters()}` : ''}${tm.teacher ? `, CLIP teacher ${tm.teacher.numParameters()}` : ''}`);
  const tokenizer = await loadTokenizer(source);
  const processor = parseProcessorConfig(tm.processor.raw);
  let teacher: TeacherSource = { kind: 'none' };
  if (opts.teacher === 'clip') teacher = { kind: 'clip', model: tm.teacher! };
  if (opts.teacher === 'shapes') {
    const scenes = opts.scenesPath ?? path.join(path.dirname(opts.dataPath), 'scenes.jsonl');
    if (!existsSync(scenes)) throw new EveError(`--teacher shapes needs ${scenes} (written by eve data shapes)`);
    teacher = { kind: 'shapes', scenes: await readShapesScenes(scenes), dim: tm.compressor!.clipSize };
  }
  const records = await readRecords(opts.dataPath, opts.imageFolder ?? path.dirname(opts.dataPath));
  const builder = new SampleBuilder({
    tokenizer,
    processor,
    template: STAGE_PRESETS[opts.stage].template,
    maxLength,
    teacher,
    ...(opts.backend ? { backend: opts.backend } : {}),
  });
  const metrics = opts.logFile ? new MetricsLog(opts.logFile) : null;
  if (metrics) {
    await mkdir(path.dirname(path.resolve(metrics.file)), { recursive: true });
    metrics.truncateAfter(resumeFrom ? (await readTrainerState(resumeFrom)).step : 0);
  }
  const result = await runTraining({
    settings,
    model: tm,
    records,
    builder,
    outDir: opts.outDir,
    resumeFrom,
    extraConfig: opts.teacher === 'shapes' ? { teacher_hidden_size: tm.compressor!.clipSize } : {},
    ...(opts.saveEvery !== undefined ? { saveEvery: opts.saveEvery } : {}),
    ...(opts.stopAfter !== undefined ? { stopAfter: opts.stopAfter } : {}),
    ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}),
    ...(opts.backend ? { backend: opts.backend } : {}),
    onStep: (r) => {
      metrics?.append({ step: r.step, lr: r.lr, loss: r.loss, lm_loss: r.lm_loss, align_loss: r.align_loss, grad_norm: r.grad_norm, epoch: r.epoch, tokens: r.tokens, seconds: r.seconds });
      opts.onStep?.(r);
    },
  });
  const lossCurve = path.join(opts.outDir, 'loss-curve.png');
  await writeLossCurve(
    lossCurve,
    result.history.map((h) => ({ step: h.step, lr: h.lr, loss: h.loss, lm_loss: h.lm_loss, align_loss: h.align_loss, grad_norm: h.grad_norm })),
    `eve train --stage ${opts.stage}`,
  );
  tm.model.dispose();
  tm.compressor?.dispose();
  tm.teacher?.dispose();
  return { ...result, lossCurve, settings };
}
