/**
 * Training samples as EVE's `LazySupervisedDataset` + `DataCollatorForSupervisedDataset` build
 * them (spec §7.3–7.6): LLaVA records → ids and labels with the stage's template (`plain`:
 * `preprocess_plain`; `v1`: `preprocess_v1` with label masking), truncated to `maxLength` text
 * positions; the preprocessed image (a blank one for text-only samples, §3.8); and the teacher's
 * patch features of the valid region (real CLIP on `images_clip`, or the shapes world's features
 * recomputed from `scenes.jsonl`). Not here: batching (./train.ts) and the model's splicing.
 */
import { EveError } from '@evejs/tensor';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { noGrad, tensor, type Tensor } from '@evejs/tensor';
import { prepareImage, type ClipVisionTower, type EveImage } from '@evejs/model';
import { blankImage, decodeImage, preprocessImage, preprocessTeacherImage, type ProcessorConfig } from '@evejs/image';
import { preprocessMultimodal, preprocessPlain, preprocessV1, type LlamaTokenizer, type SourceMessage } from '@evejs/tokenizer';
import { readLlavaDataset, renderScene, teacherFeatures, type DatasetRecord, type Scene } from '@evejs/datasets';

/** One training sample, ready for the model. */
export interface TrainingSample {
  /** Position in the dataset file. */
  index: number;
  /** Text-level ids; an image sample has one `-200`. */
  inputIds: number[];
  /** Text-level labels (−100 where no loss). */
  labels: number[];
  hasImage: boolean;
  /** The model image (the blank image for text-only samples). */
  image: EveImage;
  /** Teacher features of the valid patches [P, c], or null (text-only, or no teacher). */
  teacher: Tensor | null;
}

/** Where teacher features come from. */
export type TeacherSource =
  | { kind: 'none' }
  | { kind: 'clip'; model: ClipVisionTower }
  | { kind: 'shapes'; scenes: ReadonlyMap<string, Scene>; /** Width the features are zero-padded to (a multiple of the aligning layer's 8 heads). */ dim: number };

/** Reads every valid record of a LLaVA JSON file (records are small; images load lazily). */
export async function readRecords(file: string, imageFolder: string): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const r of readLlavaDataset(file, { imageFolder, onBadRecord: 'skip' })) out.push(r);
  if (out.length === 0) throw new EveError(`${file}: no usable records`);
  return out;
}

/** Reads `scenes.jsonl` of a shapes dataset: image file name → scene. */
export async function readShapesScenes(file: string): Promise<Map<string, Scene>> {
  const out = new Map<string, Scene>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { image: string; scene: Scene };
    out.set(path.basename(row.image), row.scene);
  }
  return out;
}

export interface SampleBuilderOptions {
  tokenizer: LlamaTokenizer;
  processor: ProcessorConfig;
  template: 'plain' | 'v1';
  maxLength: number;
  teacher: TeacherSource;
  backend?: string;
}

/** Builds samples from records, caching the host-side results (images, ids, teacher features). */
export class SampleBuilder {
  readonly #cache = new Map<number, Omit<TrainingSample, 'image' | 'teacher'> & { pixels: Float32Array; shape: [number, number, number]; teacher: { data: Float32Array; shape: [number, number] } | null }>();
  #blank: { data: Float32Array; shape: [number, number, number] } | null = null;
  /** Cached samples are kept while their host bytes stay below this. */
  #cacheBytes = 0;
  constructor(
    readonly opts: SampleBuilderOptions,
    readonly maxCacheBytes = 512 * 2 ** 20,
  ) {}

  /** The sample for a record, on the default (or configured) backend. Dispose `image.pixels` and `teacher` after use. */
  async build(record: DatasetRecord): Promise<TrainingSample> {
    let host = this.#cache.get(record.index);
    if (!host) {
      host = await this.#buildHost(record);
      const bytes = host.pixels.byteLength + (host.teacher?.data.byteLength ?? 0);
      if (this.#cacheBytes + bytes <= this.maxCacheBytes) {
        this.#cache.set(record.index, host);
        this.#cacheBytes += bytes;
      }
    }
    const backend = this.opts.backend;
    return {
      index: host.index,
      inputIds: host.inputIds,
      labels: host.labels,
      hasImage: host.hasImage,
      image: prepareImage(host.pixels, host.shape, this.opts.processor.patchStride, backend),
      teacher: host.teacher ? tensor(host.teacher.data, host.teacher.shape, backend ? { backend } : {}) : null,
    };
  }

  async #buildHost(record: DatasetRecord) {
    const { tokenizer, processor, template, maxLength, teacher } = this.opts;
    const hasImage = record.imagePath !== null;
    let source: SourceMessage[] = record.conversations.map((t) => ({ from: t.from, value: t.value }));
    if (hasImage) source = preprocessMultimodal(source);
    const pre =
      template === 'plain'
        ? preprocessPlain(tokenizer, source)
        : preprocessV1(tokenizer, source, { hasImage, modelMaxLength: maxLength });
    // The collator truncates text positions to model_max_length (image expansion comes later).
    const inputIds = pre.inputIds.slice(0, maxLength);
    const labels = pre.labels.slice(0, maxLength);
    let pixels: Float32Array;
    let shape: [number, number, number];
    let teacherOut: { data: Float32Array; shape: [number, number] } | null = null;
    if (hasImage) {
      const decoded = await decodeImage(record.imagePath!);
      const img = preprocessImage(decoded, processor);
      pixels = img.data;
      shape = [...img.shape];
      if (teacher.kind === 'clip') {
        const t = preprocessTeacherImage(decoded, processor);
        teacherOut = await clipTeacherFeatures(teacher.model, t.data, t.shape[1], processor.patchStrideClip);
      } else if (teacher.kind === 'shapes') {
        const scene = teacher.scenes.get(path.basename(record.imagePath!));
        if (!scene) throw new EveError(`no scene for ${record.imagePath} in scenes.jsonl (needed by --teacher shapes)`);
        const f = teacherFeatures(scene, renderScene(scene), { imageSizeClip: processor.imageSizeClip, patchStrideClip: processor.patchStrideClip });
        // Zero-padding the features to the aligning layer's width (42 → 48, divisible by its 8
        // heads) leaves the cosine's target direction unchanged; the extra outputs learn to be 0.
        const p = f.rows * f.cols;
        const data = new Float32Array(p * teacher.dim);
        for (let r = 0; r < p; r++) data.set(f.data.subarray(r * f.dim, (r + 1) * f.dim), r * teacher.dim);
        teacherOut = { data, shape: [p, teacher.dim] };
      }
    } else {
      this.#blank ??= (() => {
        const b = blankImage(processor);
        return { data: b.data, shape: [...b.shape] as [number, number, number] };
      })();
      ({ data: pixels, shape } = this.#blank);
    }
    return { index: record.index, inputIds, labels, hasImage, pixels, shape, teacher: teacherOut };
  }
}

/**
 * CLIP teacher features of the valid region: the model on channels 0..2 of `images_clip`
 * [4, M, M], then the mask (channel 3) average-pooled by the CLIP patch size selects patches.
 */
async function clipTeacherFeatures(
  model: ClipVisionTower,
  data: Float32Array,
  m: number,
  patch: number,
): Promise<{ data: Float32Array; shape: [number, number] }> {
  const g = m / patch;
  const pix = tensor(data.subarray(0, 3 * m * m), [3, m, m]);
  const feats = noGrad(() => model.forward(pix)); // (g², C)
  const all = (await feats.data()) as Float32Array;
  const c = feats.shape[1]!;
  pix.dispose();
  feats.dispose();
  const mask = data.subarray(3 * m * m);
  const rows: number[] = [];
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      let s = 0;
      for (let y = 0; y < patch; y++) for (let x = 0; x < patch; x++) s += mask[(i * patch + y) * m + j * patch + x]!;
      const v = s / (patch * patch);
      if (v !== 0 && v !== 1) throw new EveError('teacher mask is not patch-aligned (EVE asserts 0/1 patches)');
      if (v === 1) rows.push(i * g + j);
    }
  }
  const out = new Float32Array(rows.length * c);
  rows.forEach((r, k) => out.set(all.subarray(r * c, (r + 1) * c), k * c));
  return { data: out, shape: [rows.length, c] };
}
