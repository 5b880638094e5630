/**
 * The training loop of one stage: data order, micro-batches (a loop of batch-1 forwards, see
 * ./sample-loss.ts), gradient accumulation, global-norm clipping, AdamW with the release's
 * parameter groups and Hugging Face's schedule, NaN/inf checks, metrics, checkpoints and exact
 * resumption.
 *
 * Data order: micro-batch m of the run is micro-batch `m mod B` of epoch `⌊m / B⌋` (B micro-batches
 * per epoch, the last one possibly short, as a DataLoader without drop_last); each epoch's order
 * is a permutation drawn from a generator seeded with (seed, epoch), or the file order with
 * `shuffle: false`. Optimizer step k consumes micro-batches k·accum … k·accum + accum − 1, so the
 * step count alone fixes the position and a resumed run sees the same samples as an
 * uninterrupted one. Total steps default to ⌊epochs · B / accum⌋ (at least 1).
 */
import { EveError } from '@evejs/tensor';
import { Rng, noGrad } from '@evejs/tensor';
import { AdamW } from './adamw.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { assertFinite } from './divergence.js';
import { lrMultiplier, warmupSteps, type ScheduleKind } from './lr-schedule.js';
import { buildParamGroups, normParameterNames } from './param-groups.js';
import { isTrainable, type StageName } from './stage-presets.js';
import { microBatchStep } from './sample-loss.js';
import type { SampleBuilder } from './training-data.js';
import type { DatasetRecord } from '@evejs/datasets';
import type { TrainingModel } from './training-model.js';
import { loadOptimizerState, readTrainerState, saveTrainingCheckpoint, type TrainerState } from './training-checkpoint.js';

/** Hyperparameters of a run. */
export interface TrainSettings {
  stage: StageName;
  /** Optimizer steps; default from `epochs`. */
  steps?: number;
  epochs: number;
  batchSize: number;
  gradAccum: number;
  lr: number;
  projectorLr: number | null;
  visionLr: number | null;
  warmupRatio: number;
  schedule: ScheduleKind;
  weightDecay: number;
  maxGradNorm: number;
  betas: [number, number];
  eps: number;
  seed: number;
  shuffle: boolean;
}

/** What the loop reports after each optimizer step. */
export interface StepReport {
  step: number;
  totalSteps: number;
  epoch: number;
  lr: number;
  loss: number;
  lm_loss: number;
  align_loss: number;
  grad_norm: number;
  tokens: number;
  positions: number;
  seconds: number;
}

export interface RunTrainingOptions {
  settings: TrainSettings;
  model: TrainingModel;
  records: readonly DatasetRecord[];
  builder: SampleBuilder;
  /** Checkpoint root (`checkpoint-<step>` folders and `latest`). */
  outDir: string;
  /** Resume from this checkpoint folder (model weights must already be loaded from it). */
  resumeFrom?: string | null;
  /** Save every N steps (0: only at the end). */
  saveEvery?: number;
  /** Stop (and save) after this many steps of the schedule, e.g. to test resumption. */
  stopAfter?: number;
  /** Stop (and save) once this wall-clock time (ms since epoch) has passed. */
  deadlineMs?: number;
  /** Extra fields for the checkpoint's config.json (e.g. teacher_hidden_size). */
  extraConfig?: Record<string, unknown>;
  onStep?: (r: StepReport) => void;
  backend?: string;
}

export interface RunTrainingResult {
  /** The last checkpoint written. */
  checkpoint: string;
  state: TrainerState;
  history: StepReport[];
}

/** Micro-batches per epoch. */
export function batchesPerEpoch(numSamples: number, batchSize: number): number {
  return Math.ceil(numSamples / batchSize);
}

/** The run's total optimizer steps. */
export function totalSteps(s: TrainSettings, numSamples: number): number {
  if (s.steps !== undefined) return s.steps;
  return Math.max(1, Math.floor((s.epochs * batchesPerEpoch(numSamples, s.batchSize)) / s.gradAccum));
}

/** The generator that orders epoch `epoch`. */
function epochRng(seed: number, epoch: number): Rng {
  return new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0);
}

/** Sample order of one epoch (indices into the records). */
export function epochOrder(n: number, seed: number, epoch: number, shuffle: boolean): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  if (!shuffle) return order;
  const rng = epochRng(seed, epoch);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Runs (or resumes) a stage. */
export async function runTraining(opts: RunTrainingOptions): Promise<RunTrainingResult> {
  const { settings: s, model: tm, records, builder } = opts;
  const n = records.length;
  const perEpoch = batchesPerEpoch(n, s.batchSize);
  const total = totalSteps(s, n);
  const schedule = { kind: s.schedule, totalSteps: total, warmupRatio: s.warmupRatio };

  // Trainable parameters and groups.
  const named: [string, import('@evejs/tensor').Tensor][] = [];
  for (const [k, slot] of tm.model.namedParameters()) {
    if (!slot.tensor) continue;
    slot.tensor.requiresGrad = isTrainable(s.stage, k);
    if (slot.tensor.requiresGrad) named.push([k, slot.tensor]);
  }
  if (tm.compressor) {
    for (const [k, slot] of tm.compressor.namedParameters()) {
      const key = `model.vision_tower_compressor.${k}`;
      slot.tensor!.requiresGrad = isTrainable(s.stage, key);
      if (slot.tensor!.requiresGrad) named.push([key, slot.tensor!]);
    }
  }
  tm.teacher?.setRequiresGrad(false);
  const norms = normParameterNames(tm.model);
  if (tm.compressor) for (const k of normParameterNames(tm.compressor, 'model.vision_tower_compressor.')) norms.add(k);
  const groups = buildParamGroups(named, norms, { lr: s.lr, projectorLr: s.projectorLr, visionLr: s.visionLr, weightDecay: s.weightDecay });
  const optimizer = new AdamW(groups, { betas: s.betas, eps: s.eps });
  const params = named.map(([, t]) => t);

  let step = 0;
  const history: StepReport[] = [];
  const settingsRecord = { ...s, steps: total } as unknown as Record<string, unknown>;
  if (opts.resumeFrom) {
    const st = await readTrainerState(opts.resumeFrom);
    if (st.stage !== s.stage || st.totalSteps !== total) {
      throw new EveError(`cannot resume ${opts.resumeFrom}: it is stage ${st.stage} with ${st.totalSteps} steps, this run is ${s.stage} with ${total}`);
    }
    step = st.step;
    await loadOptimizerState(opts.resumeFrom, optimizer, step, opts.backend);
    for (const h of st.history) history.push({ ...h, step: h.step, totalSteps: total, epoch: 0, tokens: 0, positions: 0, seconds: 0 });
  }

  const orders = new Map<number, number[]>();
  const orderOf = (epoch: number) => {
    let o = orders.get(epoch);
    if (!o) {
      o = epochOrder(n, s.seed, epoch, s.shuffle);
      orders.clear();
      orders.set(epoch, o);
    }
    return o;
  };
  const stateAt = (): TrainerState => {
    const m = step * s.gradAccum;
    const epoch = Math.floor(m / perEpoch);
    return {
      format: 'evejs-trainer/1',
      stage: s.stage,
      step,
      totalSteps: total,
      epoch,
      position: m % perEpoch,
      seed: s.seed,
      rngState: epochRng(s.seed, epoch).getState(),
      schedule: { ...schedule, warmupSteps: warmupSteps(schedule) },
      settings: settingsRecord,
      history: history.map(({ step: st, loss, lm_loss, align_loss, lr, grad_norm }) => ({ step: st, loss, lm_loss, align_loss, lr, grad_norm })),
    };
  };

  const stopAt = Math.min(total, opts.stopAfter ?? total);
  let checkpoint = opts.resumeFrom ?? '';
  while (step < stopAt) {
    const t0 = performance.now();
    const mult = lrMultiplier(schedule, step);
    let lmSum = 0;
    let alignSum = 0;
    let tokens = 0;
    let positions = 0;
    for (let a = 0; a < s.gradAccum; a++) {
      const m = step * s.gradAccum + a;
      const epoch = Math.floor(m / perEpoch);
      const j = m % perEpoch;
      const order = orderOf(epoch);
      const idx = order.slice(j * s.batchSize, Math.min(n, (j + 1) * s.batchSize));
      const samples = [];
      for (const i of idx) samples.push(await builder.build(records[i]!));
      try {
        const r = await microBatchStep(tm.model, tm.compressor, samples, s.gradAccum);
        lmSum += r.lmLoss;
        alignSum += r.alignLoss;
        tokens += r.tokens;
        positions += r.positions;
      } finally {
        for (const x of samples) {
          x.image.pixels.dispose();
          x.teacher?.dispose();
        }
      }
    }
    const lmLoss = lmSum / s.gradAccum;
    const alignLoss = alignSum / s.gradAccum;
    const gradNorm = await clipGradNorm(params, s.maxGradNorm);
    assertFinite(step + 1, { loss: lmLoss + alignLoss, grad_norm: gradNorm });
    noGrad(() => optimizer.update(mult));
    optimizer.zeroGrad();
    step++;
    const report: StepReport = {
      step,
      totalSteps: total,
      epoch: (step * s.gradAccum) / perEpoch,
      lr: s.lr * mult,
      loss: lmLoss + alignLoss,
      lm_loss: lmLoss,
      align_loss: alignLoss,
      grad_norm: gradNorm,
      tokens,
      positions,
      seconds: (performance.now() - t0) / 1000,
    };
    history.push(report);
    opts.onStep?.(report);
    const timeUp = opts.deadlineMs !== undefined && Date.now() >= opts.deadlineMs;
    const save = step === stopAt || timeUp || (opts.saveEvery !== undefined && opts.saveEvery > 0 && step % opts.saveEvery === 0);
    if (save) checkpoint = await saveTrainingCheckpoint(opts.outDir, tm, optimizer, stateAt(), opts.extraConfig);
    if (timeUp) break;
  }
  const state = stateAt();
  optimizer.dispose();
  return { checkpoint, state, history };
}
