/**
 * `eve train --recipe shapes`: EVE's three stages on the procedural shapes world, from a freshly
 * initialised small EVE, within a time budget — so the whole pipeline (train → chat → eval) runs
 * on a laptop. The data is generated if missing; the teacher is the shapes world's per-patch
 * features (no CLIP download). The SFT stage runs in three phases (PHASES). Each phase's step count
 * is planned from a short timing probe so the cosine schedule completes inside the phase's share
 * of the budget, or given (stageSteps).
 */
import { EveError } from '@evejs/tensor';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveSafetensors } from '@evejs/tensor';
import { EveForCausalLM, parseEveConfig, parseVisionProcessorConfig } from '@evejs/model';
import { DEFAULT_TOKEN_GRID, type ShapesManifest, type TeacherGrid, writeShapesDataset } from '@evejs/datasets';
import { CLIP_MEAN, CLIP_STD, decodeImage, encodePng } from '@evejs/image';
import { loadTokenizer } from '@evejs/tokenizer';
import type { StageName } from './stage-presets.js';
import type { StepReport, TrainSettings } from './train.js';
import { SHAPES_SFT_FILES, writeShapesSftData } from './shapes-sft-data.js';
import { SHAPES_TEACHER_WIDTH, trainStage } from './train-stage.js';

/** The small EVE the recipe trains (≈3.5 M parameters). */
export const SHAPES_MODEL_CONFIG = {
  architectures: ['EVELlamaForCausalLM'],
  model_type: 'eve',
  hidden_size: 256,
  intermediate_size: 688,
  num_hidden_layers: 4,
  num_attention_heads: 8,
  num_key_value_heads: 8,
  hidden_act: 'silu',
  max_position_embeddings: 1024,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  tie_word_embeddings: false,
  vocab_size: 1024, // replaced by the shapes tokenizer's size when the model is created
  bos_token_id: 1,
  eos_token_id: 2,
  pad_token_id: 0,
  mm_hidden_size: 128,
  mm_projector_type: 'mlp2x_gelu',
  mm_vision_tower: 'eve-patch14-anypixel-224',
  mm_vision_select_layer: -2,
  mm_vision_select_feature: 'patch',
  requires_cliploss: true,
  teacher_hidden_size: SHAPES_TEACHER_WIDTH,
  mm_use_im_start_end: false,
  mm_use_im_patch_token: false,
  use_mm_proj: true,
  image_aspect_ratio: 'square',
  use_cache: true,
  torch_dtype: 'float32',
  transformers_version: '4.31.0',
};

/** 224 px canvas, 14 px patches, 2×2 pooling → up to 8×8 image tokens; teacher grid 112/14 = 8. */
export const SHAPES_PROCESSOR_CONFIG = {
  image_size: 224,
  image_size_clip: 112,
  patch_stride: 14,
  conv_stride: 2,
  patch_stride_clip: 14,
  image_mean: [...CLIP_MEAN],
  image_std: [...CLIP_STD],
  do_resize: false,
  do_center_crop: false,
  do_normalize: true,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_convert_rgb: true,
  resample: 3,
  feature_extractor_type: 'CLIPFeatureExtractor',
};

/** Recipe canvases: whole 28-px tokens (2×2 patches of 14 px), from 2 to 16 along the long side. */
function checkCanvas(canvas: number): void {
  if (!Number.isInteger(canvas) || canvas % 28 !== 0 || canvas < 56 || canvas > 448) {
    throw new EveError(`canvas: expected a multiple of 28 px between 56 and 448 (whole image tokens), got ${canvas}`);
  }
}

/**
 * The processor config of a shapes model whose canvas is `canvas` px: its long side spans canvas / 28
 * image tokens, and the teacher grid (EVE's CLIP-scale geometry, half the canvas) is the token grid.
 */
export function shapesProcessorConfig(canvas = SHAPES_PROCESSOR_CONFIG.image_size): typeof SHAPES_PROCESSOR_CONFIG {
  checkCanvas(canvas);
  return { ...SHAPES_PROCESSOR_CONFIG, image_size: canvas, image_size_clip: canvas / 2 };
}

/** The token grid of a `canvas`-px shapes model, as the shapes world's `cells` layout and teacher take it. */
export function shapesTokenGrid(canvas = SHAPES_PROCESSOR_CONFIG.image_size): TeacherGrid {
  const p = shapesProcessorConfig(canvas);
  return { imageSizeClip: p.image_size_clip, patchStrideClip: p.patch_stride_clip };
}

/**
 * The recipe's phases: EVE's three stages, the last (SFT) in three parts. A model trained from
 * scratch in minutes does not learn from the conversations to look up in the image what a question
 * names (it answers every existence question "no"), nor to read (one turn in twenty there). So a
 * colour checklist ("Which colors are in the image?" → "red no, green square, …") first teaches
 * the one-step lookup, where the colour word is right before its answer, and reads the shape of
 * what it finds; the colour lookups ("Is there a red object in the image?", "What shape is the red
 * object?") then move it to the benchmark's distance, at a lower rate (at 1e-3 batch 4 a lookup
 * across a question is never learned); last come the conversations, with the lookups and the
 * reading questions as records of their own (shapes-sft-data.ts). The record of every run that
 * led here is packages/trainer/README.md.
 */
export const SHAPES_RECIPE_PHASES = ['prealign', 'pretrain', 'sft-checklist', 'sft-lookups', 'sft'] as const;
export type ShapesRecipePhase = (typeof SHAPES_RECIPE_PHASES)[number];

/** Settings every phase shares: from scratch, in minutes, needs higher rates than EVE's fine-tuning of Vicuna. */
const FAST = { lr: 1e-3, warmupRatio: 0.03, batchSize: 4 } as const;

/** Each phase's stage, data file, share of the time budget (as the built-in model's run spent it) and settings. */
const PHASES: { phase: ShapesRecipePhase; stage: StageName; data: string; share: number; overrides: Partial<TrainSettings> }[] = [
  { phase: 'prealign', stage: 'prealign', data: 'captions.json', share: 0.13, overrides: { ...FAST, projectorLr: 1e-3, visionLr: 1e-3 } },
  { phase: 'pretrain', stage: 'pretrain', data: 'captions.json', share: 0.15, overrides: FAST },
  { phase: 'sft-checklist', stage: 'sft', data: 'checklists.json', share: 0.11, overrides: FAST },
  { phase: 'sft-lookups', stage: 'sft', data: SHAPES_SFT_FILES.lookups, share: 0.17, overrides: { ...FAST, lr: 3e-4 } },
  { phase: 'sft', stage: 'sft', data: SHAPES_SFT_FILES.mixture, share: 0.44, overrides: FAST },
];

/** The tokenizer folder of the built-in shapes model (the repository's models/eve-shapes-tiny). */
function tokenizerDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../../../..']) {
    const d = path.resolve(here, up, 'models/eve-shapes-tiny');
    if (existsSync(path.join(d, 'tokenizer.model'))) return d;
  }
  throw new EveError('models/eve-shapes-tiny/tokenizer.model not found (the recipe needs the shapes tokenizer)');
}

/** Writes a freshly initialised small EVE in the official layout (its canvas `canvas` px, default 224). */
export async function writeInitialShapesModel(dir: string, seed: number, canvas = SHAPES_PROCESSOR_CONFIG.image_size): Promise<void> {
  const processor = shapesProcessorConfig(canvas);
  await mkdir(dir, { recursive: true });
  const tok = tokenizerDir();
  // The embedding and output layer have exactly one row per piece of the shapes tokenizer.
  const rawConfig = { ...SHAPES_MODEL_CONFIG, vocab_size: (await loadTokenizer(tok)).vocabSize };
  const config = parseEveConfig(rawConfig);
  const model = new EveForCausalLM(config, parseVisionProcessorConfig(processor)).initParameters({ seed, std: 0.02 });
  await writeFile(path.join(dir, 'config.json'), `${JSON.stringify({ ...rawConfig, _name_or_path: `evejs shapes recipe (seed ${seed})` }, null, 2)}\n`);
  await writeFile(path.join(dir, 'preprocessor_config.json'), `${JSON.stringify(processor, null, 2)}\n`);
  for (const f of ['tokenizer.model', 'tokenizer_config.json', 'special_tokens_map.json']) if (existsSync(path.join(tok, f))) await copyFile(path.join(tok, f), path.join(dir, f));
  await saveSafetensors(path.join(dir, 'model.safetensors'), model.stateDict(), { format: 'pt' });
  model.dispose();
}

export interface ShapesRecipeOptions {
  outDir: string;
  /** Total time budget (default 30). */
  minutes?: number;
  seed?: number;
  /** Training images generated when the data is missing (default 2000). */
  count?: number;
  /**
   * The model's canvas in px (default 224: up to 8 × 8 image tokens of 28 px); with `layout:
   * 'cells'` the generated world's cells are this canvas's tokens.
   */
  canvas?: number;
  /** The shapes world's layout when the recipe generates the data (default `free`; `@evejs/datasets`' SceneOptions.layout). */
  layout?: 'cells' | 'free';
  backend?: string;
  log?: (m: string) => void;
  /**
   * Train the blind baseline: the same recipe, prompts and sequence layout, but every image is
   * replaced by a flat one of the same size in the processor's mean colour (no visual
   * information; EVE's plain pre-training template needs an image in every sample) and there is
   * no alignment teacher. Evaluate it on the blank images too (`<out>/data/images-blind`).
   */
  blind?: boolean;
  /**
   * Take each stage's schedule from an earlier run of the recipe instead of timing probes: the
   * same planned steps (the cosine's length) and the same stopping step. The blind baseline uses
   * this to train exactly as long as the model it is compared with, whatever the machine's load.
   */
  stepsLike?: string;
  /**
   * Steps of each phase (prealign, pretrain, sft-checklist, sft), instead of timing probes: the
   * run no longer depends on the machine's speed or load, so the same command trains the same
   * model anywhere (the built-in model's command gives the step counts that fit its 30 minutes).
   */
  stageSteps?: readonly [number, number, number, number, number];
  /** Called once per phase; returns that phase's step callback. */
  onStep?: (phase: ShapesRecipePhase) => (r: StepReport) => void;
}

/** Writes a flat copy (same size, colour (122, 116, 104)) of every image in `from` into `to`. */
export async function writeBlankImages(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) {
    if (!name.endsWith('.png') || existsSync(path.join(to, name))) continue;
    const { width, height } = await decodeImage(path.join(from, name));
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i += 3) data.set([122, 116, 104], i);
    await writeFile(path.join(to, name), await encodePng({ data, width, height, channels: 3 }));
  }
}

/** The planned and the completed steps of one phase of an earlier recipe run (its last checkpoint). */
export async function recipeStageSteps(runDir: string, phase: ShapesRecipePhase): Promise<{ planned: number; done: number }> {
  const stageDir = path.join(runDir, phase);
  const latest = (await readFile(path.join(stageDir, 'latest'), 'utf8').catch(() => {
    throw new EveError(`${stageDir}: no finished stage to copy the schedule from (no "latest" file)`);
  })).trim();
  const state = JSON.parse(await readFile(path.join(stageDir, latest, 'trainer_state.json'), 'utf8')) as { step: number; totalSteps: number };
  return { planned: state.totalSteps, done: state.step };
}

/**
 * A world laid out on one token grid is only meaningful to a model with that grid: with the
 * `cells` layout, the data's cells must be the canvas's tokens (a free layout fits any canvas).
 */
async function checkDataMatchesCanvas(dataDir: string, canvas: number, want: TeacherGrid): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(dataDir, 'dataset.json'), 'utf8')) as ShapesManifest;
  if (manifest.options.layout !== 'cells') return;
  const got = manifest.options.tokenGrid ?? DEFAULT_TOKEN_GRID;
  if (got.imageSizeClip !== want.imageSizeClip || got.patchStrideClip !== want.patchStrideClip) {
    const cells = (g: TeacherGrid) => g.imageSizeClip / g.patchStrideClip;
    throw new EveError(
      `${dataDir}: its cells layout has ${cells(got)} cells along the long side, but a ${canvas}-px canvas has ${cells(want)} tokens there; ` +
        `regenerate the data with --grid ${cells(want)} or train with --canvas ${cells(got) * 28}`,
    );
  }
}

/** Runs the recipe; returns the final checkpoint and each stage's summary. */
export async function runShapesRecipe(opts: ShapesRecipeOptions) {
  if (opts.stageSteps && opts.stepsLike) throw new EveError('give either stageSteps or stepsLike, not both');
  if (opts.stageSteps && (opts.stageSteps.length !== PHASES.length || !opts.stageSteps.every((n) => Number.isInteger(n) && n > 0))) {
    throw new EveError(`stageSteps: expected ${PHASES.length} positive integers (${SHAPES_RECIPE_PHASES.join(', ')}), got ${JSON.stringify(opts.stageSteps)}`);
  }
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? 0;
  const minutes = opts.minutes ?? 30;
  const recipeStart = Date.now();
  const dataDir = path.join(opts.outDir, 'data');
  const canvas = opts.canvas ?? SHAPES_PROCESSOR_CONFIG.image_size;
  const grid = shapesTokenGrid(canvas);
  const layout = opts.layout ?? 'free';
  if (!existsSync(path.join(dataDir, 'dataset.json'))) {
    log(`generating the shapes world in ${dataDir}`);
    await writeShapesDataset(dataDir, { seed, count: opts.count ?? 2000, ...(layout === 'cells' ? { layout, tokenGrid: grid } : {}) });
  }
  await checkDataMatchesCanvas(dataDir, canvas, grid);
  const sftData = await writeShapesSftData(dataDir);
  log(`${SHAPES_SFT_FILES.lookups}: ${sftData.lookups} colour lookups (existence and shape); ${SHAPES_SFT_FILES.mixture}: ${sftData.conversations} conversations, ${sftData.colourLookups} colour lookups (existence and shape), ${sftData.readings} reading questions`);
  const imageFolder = path.join(dataDir, opts.blind ? 'images-blind' : 'images');
  if (opts.blind) await writeBlankImages(path.join(dataDir, 'images'), imageFolder);
  let modelDir = path.join(opts.outDir, 'init');
  if (!existsSync(path.join(modelDir, 'model.safetensors'))) await writeInitialShapesModel(modelDir, seed, canvas);
  const setupS = (Date.now() - recipeStart) / 1000; // data, blank images, initial model
  const summary: { phase: ShapesRecipePhase; stage: StageName; steps: number; seconds: number; firstLoss: number; lastLoss: number; checkpoint: string }[] = [];
  for (const [phaseIndex, st] of PHASES.entries()) {
    const common = {
      stage: st.stage,
      dataPath: path.join(dataDir, st.data),
      imageFolder,
      teacher: opts.blind ? ('none' as const) : ('shapes' as const),
      ...(opts.backend ? { backend: opts.backend } : {}),
    };
    const out = path.join(opts.outDir, st.phase);
    // The phase's schedule: an earlier run's, or planned from a timing probe within the budget.
    let steps: number;
    let stopAfter: number | undefined;
    let budgetS: number | undefined;
    if (opts.stageSteps) {
      steps = opts.stageSteps[phaseIndex]!;
      log(`${st.phase}: ${steps} steps`);
    } else if (opts.stepsLike) {
      const { planned, done } = await recipeStageSteps(opts.stepsLike, st.phase);
      log(`${st.phase}: ${done} of ${planned} planned steps, as in ${opts.stepsLike}`);
      steps = planned;
      stopAfter = done;
    } else {
      // Timing probe: 4 steps into a scratch folder; the first is slower (caches fill) and is
      // dropped, and the median of the rest resists a busy moment on a shared machine.
      const probeStart = Date.now();
      const probeDir = path.join(opts.outDir, `.probe-${st.phase}`);
      const probe = await trainStage({ ...common, modelDir, outDir: probeDir, overrides: { ...st.overrides, steps: 4, seed } });
      await rm(probeDir, { recursive: true, force: true });
      const timings = probe.history.slice(1).map((h) => h.seconds).sort((a, b) => a - b);
      const secPerStep = timings[Math.floor(timings.length / 2)]!;
      // The budget covers everything: data generation and each probe come out of it.
      budgetS = Math.max(10, (minutes * 60 - setupS) * st.share - (Date.now() - probeStart) / 1000);
      steps = Math.max(3, Math.floor((budgetS * 0.9) / secPerStep));
      log(`${st.phase}: ${secPerStep.toFixed(2)} s/step → ${steps} steps in ${Math.round(budgetS)} s`);
    }
    const t0 = Date.now();
    const r = await trainStage({
      ...common,
      modelDir,
      outDir: out,
      overrides: { ...st.overrides, steps, seed },
      ...(stopAfter !== undefined ? { stopAfter } : {}),
      ...(budgetS !== undefined ? { deadlineMs: t0 + budgetS * 1000 * 1.05 } : {}),
      logFile: path.join(out, 'metrics.jsonl'),
      log,
      ...(opts.onStep ? { onStep: opts.onStep(st.phase) } : {}),
    });
    summary.push({ phase: st.phase, stage: st.stage, steps: r.state.step, seconds: (Date.now() - t0) / 1000, firstLoss: r.history[0]?.loss ?? NaN, lastLoss: r.history.at(-1)?.loss ?? NaN, checkpoint: r.checkpoint });
    modelDir = r.checkpoint;
  }
  return { checkpoint: modelDir, stages: summary };
}
