// `eve train`: one EVE training stage (`--stage prealign|pretrain|sft`) on a LLaVA-style dataset,
// or the whole shapes recipe from scratch (`--recipe shapes`: the three stages, SFT in three phases). The work is done by
// @evejs/trainer; this file parses flags (or a --config JSON with the same names) and shows progress.
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseStage, runShapesRecipe, trainStage, type StageName, type StepReport, type TeacherKind, type TrainSettings } from '@evejs/trainer';
import { selectBackend } from '../backends.js';
import { ProgressBar } from '../progress.js';

function num(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}
function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}
function stageStepsList(v: string): [number, number, number, number, number] {
  const parts = v.split(',').map((x) => Number(x.trim()));
  if (parts.length !== 5 || !parts.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError('expected five positive integers: steps of prealign, pretrain, sft-checklist, sft-lookups and sft (e.g. 600,517,300,250,800)');
  }
  return parts as [number, number, number, number, number];
}

interface TrainFlags {
  stage?: string;
  recipe?: string;
  model?: string;
  data?: string;
  imageFolder?: string;
  out?: string;
  config?: string;
  steps?: number;
  epochs?: number;
  batchSize?: number;
  gradAccum?: number;
  lr?: number;
  visionLr?: number;
  projectorLr?: number;
  warmupRatio?: number;
  schedule?: 'cosine' | 'constant';
  weightDecay?: number;
  maxGradNorm?: number;
  maxLength?: number;
  seed?: number;
  shuffle?: boolean;
  log?: string;
  resume?: boolean;
  backend?: string;
  teacher?: string;
  saveEvery?: number;
  stopAfter?: number;
  minutes?: number;
  count?: number;
  blind?: boolean;
  stepsLike?: string;
  stageSteps?: [number, number, number, number, number];
  canvas?: number;
  layout?: 'cells' | 'free';
}

/** A progress bar fed by step reports: loss, lm/align losses, lr, tokens/s, ETA. */
function stepProgress(label: string): (r: StepReport) => void {
  let bar: ProgressBar | null = null;
  let tokens = 0;
  let seconds = 0;
  return (r) => {
    bar ??= new ProgressBar({ label, total: r.totalSteps, unit: 'step' });
    tokens += r.positions;
    seconds += r.seconds;
    bar.update(r.step, {
      loss: r.loss.toFixed(4),
      lm: r.lm_loss.toFixed(4),
      align: r.align_loss.toFixed(4),
      lr: r.lr.toExponential(2),
      'tok/s': Math.round(tokens / Math.max(seconds, 1e-9)),
    });
  };
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train EVE: one stage (--stage) from a checkpoint on LLaVA-style data, or the shapes recipe (--recipe shapes) from scratch')
    .option('--stage <stage>', 'prealign | pretrain | sft')
    .option('--recipe <name>', 'shapes: all three stages (SFT in three phases) on the shapes world from a fresh small EVE')
    .option('--model <dir>', 'initial checkpoint (official layout: config.json, preprocessor_config.json, tokenizer, weights)')
    .option('--data <json>', 'LLaVA-style JSON (captions for prealign/pretrain, conversations for sft)')
    .option('--image-folder <dir>', 'folder the records\' "image" paths are relative to (default: the data file\'s folder)')
    .option('--out <dir>', 'checkpoint folder (checkpoint-<step> subfolders, latest, loss-curve.png)')
    .option('--config <file.json>', 'hyperparameters as JSON, keys as the flags in camelCase (flags win)')
    .option('--steps <n>', 'optimizer steps (default: from --epochs)', int)
    .option('--epochs <n>', 'epochs (default 1)', num)
    .option('--batch-size <n>', 'samples per micro-batch', int)
    .option('--grad-accum <n>', 'micro-batches per optimizer step', int)
    .option('--lr <x>', 'base learning rate', num)
    .option('--vision-lr <x>', 'learning rate of vision_tower* (and mm_projector unless --projector-lr)', num)
    .option('--projector-lr <x>', 'learning rate of mm_projector', num)
    .option('--warmup-ratio <x>', 'linear warmup share of the steps', num)
    .addOption(new Option('--schedule <kind>', 'learning-rate schedule').choices(['cosine', 'constant']))
    .option('--weight-decay <x>', 'AdamW weight decay (norms and biases never decay)', num)
    .option('--max-grad-norm <x>', 'global gradient-norm clipping', num)
    .option('--max-length <n>', 'text positions kept per sample (model_max_length)', int)
    .option('--seed <n>', 'seed of the data order and of new layers', int)
    .option('--no-shuffle', 'keep the data file order')
    .option('--log <file.jsonl>', 'metrics, one JSON line per optimizer step')
    .option('--resume', 'continue from the latest checkpoint under --out')
    .option('--backend <name>', 'compute backend (cpu, webgpu, gpujs, tfjs; default EVE_BACKEND or cpu)')
    .addOption(new Option('--teacher <kind>', 'alignment teacher').choices(['clip', 'shapes', 'none']))
    .option('--save-every <n>', 'also save a checkpoint every n steps', int)
    .option('--stop-after <n>', 'stop (and save) after n steps of the schedule', int)
    .option('--minutes <n>', 'time budget of --recipe shapes', num)
    .option('--count <n>', 'training images --recipe shapes generates (default 2000)', int)
    .option('--blind', 'with --recipe shapes: train the blind baseline (every image replaced by a flat one, no teacher)')
    .option('--steps-like <run>', 'with --recipe shapes: each phase runs the planned and completed steps of that earlier recipe run instead of timing probes (a blind baseline trained exactly as long)')
    .option(
      '--stage-steps <p,q,c,l,s>',
      'with --recipe shapes: steps of its five phases (prealign, pretrain, sft-checklist, sft-lookups, sft) instead of timing probes (the same model on any machine, however loaded)',
      stageStepsList,
    )
    .option('--canvas <px>', 'with --recipe shapes: the new model\'s canvas, a multiple of 28 px (default 224: up to 8 × 8 image tokens)', int)
    .addOption(
      new Option('--layout <kind>', 'with --recipe shapes: the layout of the shapes world it generates (cells: one object or letter per image token of the canvas; see eve data shapes)').choices(['cells', 'free']),
    )
    .action(async (flags: TrainFlags) => {
      const fromFile = flags.config ? (JSON.parse(readFileSync(flags.config, 'utf8')) as TrainFlags) : {};
      const f: TrainFlags = { ...fromFile };
      for (const [k, v] of Object.entries(flags)) if (v !== undefined) (f as Record<string, unknown>)[k] = v;
      const backend = await selectBackend(f.backend);
      const log = (m: string) => process.stderr.write(`${m}\n`);
      if (f.recipe !== undefined) {
        if (f.recipe !== 'shapes') throw new InvalidArgumentError(`unknown recipe ${f.recipe} (shapes)`);
        const result = await runShapesRecipe({
          outDir: f.out ?? 'runs/shapes',
          ...(f.minutes !== undefined ? { minutes: f.minutes } : {}),
          ...(f.count !== undefined ? { count: f.count } : {}),
          ...(f.blind ? { blind: true } : {}),
          ...(f.stepsLike !== undefined ? { stepsLike: f.stepsLike } : {}),
          ...(f.stageSteps !== undefined ? { stageSteps: f.stageSteps } : {}),
          ...(f.canvas !== undefined ? { canvas: f.canvas } : {}),
          ...(f.layout !== undefined ? { layout: f.layout } : {}),
          ...(f.seed !== undefined ? { seed: f.seed } : {}),
          backend,
          log,
          onStep: (phase) => stepProgress(`train ${phase}`),
        });
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      if (!f.stage) throw new InvalidArgumentError('give --stage prealign|pretrain|sft (or --recipe shapes)');
      const stage: StageName = parseStage(f.stage);
      for (const k of ['model', 'data', 'out'] as const) if (!f[k]) throw new InvalidArgumentError(`--${k} is required with --stage`);
      const overrides: Partial<TrainSettings> & { maxLength?: number } = {};
      const pick = ['steps', 'epochs', 'batchSize', 'gradAccum', 'lr', 'visionLr', 'projectorLr', 'warmupRatio', 'schedule', 'weightDecay', 'maxGradNorm', 'seed', 'maxLength'] as const;
      for (const k of pick) if (f[k] !== undefined) (overrides as Record<string, unknown>)[k] = f[k];
      if (f.shuffle === false) overrides.shuffle = false;
      const teacher = (f.teacher ?? 'clip') as TeacherKind;
      const result = await trainStage({
        stage,
        modelDir: f.model!,
        dataPath: f.data!,
        ...(f.imageFolder ? { imageFolder: f.imageFolder } : {}),
        outDir: f.out!,
        teacher,
        overrides,
        ...(f.log ? { logFile: f.log } : {}),
        ...(f.resume ? { resume: true } : {}),
        ...(f.saveEvery !== undefined ? { saveEvery: f.saveEvery } : {}),
        ...(f.stopAfter !== undefined ? { stopAfter: f.stopAfter } : {}),
        backend,
        log,
        onStep: stepProgress(`train ${stage}`),
      });
      const last = result.history.at(-1);
      process.stdout.write(`${JSON.stringify({ checkpoint: result.checkpoint, lossCurve: result.lossCurve, step: result.state.step, totalSteps: result.state.totalSteps, loss: last?.loss })}\n`);
    });
}
