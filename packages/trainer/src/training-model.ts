/**
 * Everything a training run holds on the model side, loaded from one checkpoint folder in the
 * official layout: the EVE model (`loadPretrained`), the patch aligning layer
 * (`model.vision_tower_compressor.*`, freshly initialised when the checkpoint has none — stage 1
 * starts from a plain LLM) and the frozen CLIP teacher (`model.vision_clip.backbone.*`) when the
 * teacher is `clip`. The aligning layer's output width is the teacher's: CLIP's hidden size, or
 * `teacher_hidden_size` from config.json (17 for the shapes world's features).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EveError } from '@evejs/tensor';
import {
  ClipVisionTower,
  loadPretrained,
  openWeights,
  parseClipVisionConfig,
  VisionCompressor,
  type EveConfig,
  type EveForCausalLM,
  type VisionProcessorConfig,
} from '@evejs/model';

/** Key prefixes of the training-only modules, exactly as EVE's state dict names them. */
export const COMPRESSOR_PREFIX = 'model.vision_tower_compressor.';
export const TEACHER_PREFIX = 'model.vision_clip.';
export const TEACHER_ALIAS_PREFIX = 'model.vision_tower_compressor.clip_layer.';

export type TeacherKind = 'clip' | 'shapes' | 'none';

export interface TrainingModel {
  dir: string;
  model: EveForCausalLM;
  config: EveConfig;
  processor: VisionProcessorConfig;
  compressor: VisionCompressor | null;
  teacher: ClipVisionTower | null;
  /** Directory of the teacher's config.json (copied into checkpoints), if any. */
  teacherConfigDir: string | null;
}

export interface LoadTrainingModelOptions {
  teacher: TeacherKind;
  backend?: string;
  /** Teacher width for `shapes` (the features' dimension). */
  shapesTeacherDim?: number;
  /** Seed for a fresh aligning layer. */
  seed?: number;
}

/** Loads the model, aligning layer and teacher from a checkpoint folder. */
export async function loadTrainingModel(dir: string, opts: LoadTrainingModelOptions): Promise<TrainingModel> {
  const { model, config, processor } = await loadPretrained(dir, opts.backend ? { backend: opts.backend } : {});
  let teacher: ClipVisionTower | null = null;
  let teacherConfigDir: string | null = null;
  let teacherDim: number | null = null;
  if (opts.teacher === 'clip') {
    const name = config.mmVisionTowerClip;
    if (!name) throw new EveError(`${dir}/config.json has no mm_vision_tower_clip: --teacher clip needs the CLIP teacher's config`);
    teacherConfigDir = path.isAbsolute(name) ? name : path.join(dir, name);
    const cfgFile = path.join(teacherConfigDir, 'config.json');
    if (!existsSync(cfgFile)) throw new EveError(`CLIP teacher config ${cfgFile} not found (mm_vision_tower_clip = ${name})`);
    teacher = new ClipVisionTower(parseClipVisionConfig(JSON.parse(await readFile(cfgFile, 'utf8')) as Record<string, unknown>), config.mmVisionSelectLayer);
    teacherDim = teacher.config.hiddenSize;
  } else if (opts.teacher === 'shapes') {
    const fromConfig = config.raw['teacher_hidden_size'];
    teacherDim = typeof fromConfig === 'number' ? fromConfig : (opts.shapesTeacherDim ?? null);
    if (teacherDim === null) throw new EveError('--teacher shapes: teacher width unknown (set teacher_hidden_size in config.json)');
  }
  let compressor: VisionCompressor | null = null;
  if (teacherDim !== null) {
    compressor = new VisionCompressor(config.hiddenSize, config.numHiddenLayers, teacherDim, processor);
  }
  const reader = await openWeights(dir);
  try {
    if (compressor) {
      const keys = [...compressor.namedParameters()].map(([k]) => k);
      const present = keys.filter((k) => reader.has(COMPRESSOR_PREFIX + k));
      if (present.length === keys.length) {
        for (const k of keys) compressor.setParameter(k, await reader.read(COMPRESSOR_PREFIX + k, { dtype: 'f32', ...(opts.backend ? { backend: opts.backend } : {}) }));
      } else if (present.length === 0) {
        compressor.initParameters({ seed: opts.seed ?? 0, std: 0.02, ...(opts.backend ? { backend: opts.backend } : {}) });
      } else {
        throw new EveError(`${dir}: the aligning layer is incomplete (${present.length} of ${keys.length} tensors) or has another shape`);
      }
    }
    if (teacher) {
      for (const [k] of teacher.namedParameters()) {
        const key = TEACHER_PREFIX + k;
        const alias = TEACHER_ALIAS_PREFIX + k;
        const src = reader.has(key) ? key : reader.has(alias) ? alias : null;
        if (!src) throw new EveError(`${dir}: the CLIP teacher's ${key} is missing (--teacher clip needs the teacher weights in the checkpoint)`);
        teacher.setParameter(k, await reader.read(src, { dtype: 'f32', ...(opts.backend ? { backend: opts.backend } : {}) }));
      }
    }
  } finally {
    await reader.close();
  }
  return { dir, model, config, processor, compressor, teacher, teacherConfigDir };
}
