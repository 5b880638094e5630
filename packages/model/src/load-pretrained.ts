/**
 * Loading an EVE checkpoint folder in the official layout: config.json, the image processor
 * config (at the root, or in the folder `mm_vision_tower` names, relative to the checkpoint),
 * and weights from `*.safetensors` (one file, or shards with an index json) or, as the official
 * EVE checkpoints ship them, PyTorch `.bin` shards (pytorch-bin.ts). Tensors are read
 * one at a time, converted to their storage dtype and placed on the backend, so peak memory is
 * the model plus one tensor, not two copies of the checkpoint.
 *
 * Storage dtypes: matrices (Linear weights, embedding table) take the requested dtype (f32, f16
 * or bf16: kernels read them as matmul `b` / gather tables); norms, biases, learned tokens and the
 * patch convolution stay f32. With q8_0 or q4_0, matrices are block-quantised while loading
 * (each tensor's stored bytes → quantised, never a full f32 copy), which puts EVE-7B at about
 * 7.2 GB (q8_0) or 3.8 GB (q4_0); a matrix whose rows are not whole 32-value blocks stays f16.
 * A quantised copy written by `eve convert --quantize` (keys `<name>.quants` + `<name>.scales`)
 * loads as stored, with no re-quantisation. Keys the inference model does not use (the CLIP teacher, the patch
 * aligning layer, rotary `inv_freq` buffers) are skipped and reported once.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';
import {
  bytesPerElement,
  cast,
  type DType,
  dequantize,
  EveError,
  hostArrayFromBytes,
  isQuantFormat,
  nodeBuiltin,
  openCheckpoint,
  QUANT_BLOCK,
  QUANT_FORMATS,
  type QuantFormat,
  QuantizedMatrix,
  quantizedByteLength,
  quantizeHostMatrix,
  SafetensorsBytes,
  shapeStr,
  type SafetensorsReader,
  type Tensor,
  valuesPerWord,
} from '@evejs/tensor';
import { reconstructedProcessorJson } from '@evejs/image';
import { type EveConfig, parseEveConfig, parseVisionProcessorConfig, type VisionProcessorConfig } from './eve-config.js';
import { EveForCausalLM } from './eve-for-causal-lm.js';
import { isQuantizedSlot, type Module, type ParamSlot, storageDTypeFor, type WeightDType } from './module.js';
import { PytorchCheckpoint } from './pytorch-bin.js';
import { ClipVisionTower, parseClipVisionConfig } from './clip-vision.js';
import { VisionCompressor } from './vision-compressor.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodeOs = nodeBuiltin<typeof NodeOs>('node:os');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

/** Checkpoint keys that belong to training-only modules or are recomputed. */
export const SKIPPED_KEY_PATTERNS: readonly RegExp[] = [
  /^model\.vision_clip\./, // CLIP teacher
  /^model\.vision_tower_compressor\./, // patch aligning layer (and the teacher again, via clip_layer)
  /\.rotary_emb\.inv_freq$/, // RoPE is computed
];

export interface LoadPretrainedOptions {
  /** Backend for the weights (default: the engine's default backend). */
  backend?: string;
  /**
   * Storage of matrices: f32, f16, bf16, or block-quantised q8_0 / q4_0. Default: f32, or the
   * checkpoint's own format when it is a quantised copy.
   */
  dtype?: WeightDType;
  /** Check the memory estimate against free memory first (default true). */
  checkMemory?: boolean;
  /** Memory the check may use (default: `os.freemem()`, the OS's available memory). */
  availableBytes?: number;
  /** Progress and notes (default: none). */
  log?: (message: string) => void;
  /** Called after each tensor is placed: tensors loaded, tensors in all, the last key. */
  onProgress?: (loaded: number, total: number, key: string) => void;
}

export interface LoadReport {
  /** Bytes the weights occupy once loaded. */
  weightBytes: number;
  /** Checkpoint keys skipped as training-only (teacher, aligning layer, inv_freq). */
  skipped: string[];
  /** Checkpoint keys the model does not know (skipped too). */
  unexpected: string[];
  /** Where the image processor config came from. */
  processorSource: string;
}

export interface LoadedEve {
  model: EveForCausalLM;
  config: EveConfig;
  processor: VisionProcessorConfig;
  report: LoadReport;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await nodeFs.readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new EveError(`${path}: ${(e as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await nodeFs.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the image processor config: `<dir>/preprocessor_config.json`, else
 * `<mm_vision_tower>/preprocessor_config.json` (relative to `dir` unless absolute), else — for the
 * official names `…/eve-patch14-anypixel-<size>` whose files are not on the Hub — the spec's
 * reconstruction (§2.3) with that image size.
 */
export async function resolveProcessorConfig(dir: string, config: EveConfig): Promise<{ processor: VisionProcessorConfig; source: string }> {
  const candidates = [nodePath.join(dir, 'preprocessor_config.json')];
  const tower = config.mmVisionTower;
  if (tower) candidates.push(nodePath.join(nodePath.isAbsolute(tower) ? tower : nodePath.join(dir, tower), 'preprocessor_config.json'));
  for (const path of candidates) {
    if (await exists(path)) return { processor: parseVisionProcessorConfig(await readJson(path)), source: path };
  }
  const reconstructed = reconstructedProcessorJson(tower);
  if (reconstructed) {
    return { processor: parseVisionProcessorConfig(reconstructed), source: `reconstructed for ${tower} (no preprocessor_config.json found)` };
  }
  throw new EveError(`${dir}: no preprocessor_config.json (looked in ${candidates.join(', ')})`);
}

/** Opens the weights of a checkpoint folder: safetensors (preferred) or PyTorch `.bin` (one file or shards with an index). */
export async function openWeights(dir: string): Promise<SafetensorsReader> {
  const names = await nodeFs.readdir(dir);
  if (names.some((n) => n.endsWith('.safetensors'))) return openCheckpoint(dir);
  if (names.includes('pytorch_model.bin.index.json')) return PytorchCheckpoint.open(nodePath.join(dir, 'pytorch_model.bin.index.json'));
  const bins = names.filter((n) => /^pytorch_model.*\.bin$/.test(n));
  if (bins.length === 1) return PytorchCheckpoint.open(nodePath.join(dir, bins[0]!));
  if (bins.length > 1) throw new EveError(`${dir}: several .bin files (${bins.join(', ')}) but no pytorch_model.bin.index.json`);
  throw new EveError(`${dir}: no *.safetensors weights`);
}

/** Key suffixes of a quantised matrix in a checkpoint written by `eve convert --quantize`. */
export const QUANTS_SUFFIX = '.quants';
export const SCALES_SUFFIX = '.scales';

/** The format and logical shape of `key` stored quantised in `reader`, or null when it is stored plain. */
export function storedQuantization(reader: SafetensorsReader, key: string): { format: QuantFormat; rows: number; cols: number } | null {
  if (!reader.has(key + QUANTS_SUFFIX) || !reader.has(key + SCALES_SUFFIX)) return null;
  const q = reader.info(key + QUANTS_SUFFIX);
  const s = reader.info(key + SCALES_SUFFIX);
  const cols = (s.shape[1] ?? 0) * QUANT_BLOCK;
  const perWord = q.shape[1] ? cols / q.shape[1] : 0;
  const format = QUANT_FORMATS.find((f) => valuesPerWord(f) === perWord) ?? null;
  if (!format || q.dtype !== 'i32' || s.dtype !== 'f16' || q.shape.length !== 2 || s.shape.length !== 2 || q.shape[0] !== s.shape[0]) {
    throw new EveError(`${reader.path}: ${key} is stored quantised but its quants ${q.fileDType}${shapeStr(q.shape)} and scales ${s.fileDType}${shapeStr(s.shape)} do not match a q8_0/q4_0 layout`);
  }
  return { format, rows: q.shape[0]!, cols };
}

/** Whether a slot is quantised when loading as `dtype`. */
const quantizes = (slot: ParamSlot, dtype: WeightDType): dtype is QuantFormat => isQuantFormat(dtype) && isQuantizedSlot(slot);

/** The float storage dtype of a slot that is not quantised (matrices that cannot be quantised take f16). */
const floatStorage = (slot: ParamSlot, dtype: WeightDType): DType => storageDTypeFor(slot.role, isQuantFormat(dtype) ? 'f16' : dtype);

/** Bytes a model's parameters take once loaded as `dtype` (what the loader checks against free memory). */
export function weightBytesFor(model: Module, dtype: WeightDType): number {
  let n = 0;
  for (const [, slot] of model.namedParameters()) n += slotBytes(slot, dtype);
  return n;
}

/** Bytes a slot takes once loaded as `dtype`. */
function slotBytes(slot: ParamSlot, dtype: WeightDType): number {
  if (quantizes(slot, dtype)) return quantizedByteLength(dtype, slot.shape[0]!, slot.shape[1]!);
  return slot.shape.reduce((a, b) => a * b, 1) * bytesPerElement(floatStorage(slot, dtype));
}

function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;
}

/** Builds the model from a checkpoint folder and loads its weights, tensor by tensor. */
export async function loadPretrained(dir: string, opts: LoadPretrainedOptions = {}): Promise<LoadedEve> {
  const config = parseEveConfig(await readJson(nodePath.join(dir, 'config.json')));
  const { processor, source } = await resolveProcessorConfig(dir, config);
  return loadFromReader(dir, config, processor, source, () => openWeights(dir), {
    ...opts,
    availableBytes: opts.availableBytes ?? nodeOs.freemem(),
    totalBytes: nodeOs.totalmem(),
  });
}

/** A checkpoint's files as bytes or parsed JSON, for {@link loadPretrainedFromFiles}. */
export interface PretrainedFiles {
  /** config.json (text or parsed). */
  config: string | Record<string, unknown>;
  /** preprocessor_config.json (text or parsed). */
  preprocessorConfig: string | Record<string, unknown>;
  /** The safetensors files by name (one file or the shards; the index json is not needed), or an open reader. */
  weights: Iterable<readonly [string, Uint8Array]> | SafetensorsReader;
  /** Names the checkpoint in messages and errors (default `checkpoint`). */
  name?: string;
}

const asJson = (v: string | Record<string, unknown>, what: string): Record<string, unknown> => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as Record<string, unknown>;
  } catch (e) {
    throw new EveError(`${what}: ${(e as Error).message}`);
  }
};

/**
 * Builds the model from files already in memory — fetched over HTTP or picked in a browser — with
 * no file system: the browser twin of {@link loadPretrained}. The memory check runs only when
 * `availableBytes` is given (a page cannot know free memory).
 * @example
 * const get = async (f: string) => new Uint8Array(await (await fetch(`/models/tiny/${f}`)).arrayBuffer());
 * const { model } = await loadPretrainedFromFiles({
 *   config: await (await fetch('/models/tiny/config.json')).text(),
 *   preprocessorConfig: await (await fetch('/models/tiny/preprocessor_config.json')).text(),
 *   weights: [['model.safetensors', await get('model.safetensors')]],
 * }, { backend: 'webgpu' });
 */
export async function loadPretrainedFromFiles(files: PretrainedFiles, opts: LoadPretrainedOptions = {}): Promise<LoadedEve> {
  const name = files.name ?? 'checkpoint';
  const config = parseEveConfig(asJson(files.config, `${name}/config.json`));
  const processor = parseVisionProcessorConfig(asJson(files.preprocessorConfig, `${name}/preprocessor_config.json`));
  const open = async (): Promise<SafetensorsReader> => {
    const w = files.weights;
    if ('keys' in w && typeof w.keys === 'function' && 'read' in w) return w as SafetensorsReader;
    const shards = [...(w as Iterable<readonly [string, Uint8Array]>)].filter(([n]) => n.endsWith('.safetensors'));
    if (shards.length === 0) throw new EveError(`${name}: no *.safetensors weights given`);
    const readers = shards.map(([n, bytes]) => SafetensorsBytes.parse(`${name}/${n}`, bytes));
    return readers.length === 1 ? readers[0]! : SafetensorsBytes.combine(name, readers);
  };
  return loadFromReader(name, config, processor, `${name}/preprocessor_config.json`, open, { ...opts, checkMemory: opts.checkMemory ?? opts.availableBytes !== undefined });
}

/** The shared part of both loaders: check names, shapes and memory, then read tensor by tensor. */
async function loadFromReader(
  name: string,
  config: EveConfig,
  processor: VisionProcessorConfig,
  source: string,
  openReader: () => Promise<SafetensorsReader>,
  opts: LoadPretrainedOptions & { totalBytes?: number },
): Promise<LoadedEve> {
  if (opts.dtype !== undefined && !['f32', 'f16', 'bf16', 'q8_0', 'q4_0'].includes(opts.dtype)) {
    throw new EveError(`loadPretrained: dtype ${opts.dtype} is not supported (f32, f16, bf16, q8_0, q4_0)`);
  }
  const log = opts.log ?? (() => {});
  const model = new EveForCausalLM(config, processor);
  const slots = new Map(model.namedParameters());

  let reader: SafetensorsReader;
  try {
    reader = await openReader();
  } catch (e) {
    model.dispose();
    throw e;
  }
  // A quantised copy loads in its own format unless another dtype is asked for.
  const storedFormat = [...slots.keys()].map((k) => storedQuantization(reader, k)?.format).find((f) => f !== undefined);
  const dtype: WeightDType = opts.dtype ?? storedFormat ?? 'f32';
  const weightBytes = weightBytesFor(model, dtype);
  const skipped: string[] = [];
  const unexpected: string[] = [];
  try {
    // Check names and shapes before reading any data, so a wrong checkpoint fails fast.
    const keys = reader.keys();
    let largest = 0;
    for (const key of keys) {
      largest = Math.max(largest, reader.info(key).byteLength);
      const base = key.endsWith(QUANTS_SUFFIX) ? key.slice(0, -QUANTS_SUFFIX.length) : key;
      const slot = slots.get(base);
      if (!slot) continue;
      const stored = base === key ? null : storedQuantization(reader, base);
      const shape = stored ? [stored.rows, stored.cols] : reader.info(key).shape;
      if (shape.length !== slot.shape.length || shape.some((d, i) => d !== slot.shape[i])) {
        throw new EveError(`${name}: ${base} has shape ${shapeStr(shape)}, the config needs ${shapeStr(slot.shape)}`);
      }
    }
    const missing = [...slots.keys()].filter((k) => !reader.has(k) && !storedQuantization(reader, k));
    const tied = config.tieWordEmbeddings && missing.length === 1 && missing[0] === 'lm_head.weight';
    if (missing.length > 0 && !tied) {
      throw new EveError(`${name}: missing ${missing.length} weight(s): ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}`);
    }
    // One tensor is in flight at a time: its file bytes plus the converted copy.
    const needBytes = weightBytes + 2 * largest;
    const available = opts.availableBytes;
    const ofTotal = opts.totalBytes !== undefined ? ` of ${formatBytes(opts.totalBytes)}` : '';
    log(`weights: ${formatBytes(weightBytes)} as ${dtype} (peak while loading about ${formatBytes(needBytes)})${available !== undefined ? `; free memory ${formatBytes(available)}${ofTotal}` : ''}`);
    if ((opts.checkMemory ?? true) && available !== undefined && needBytes > available) {
      throw new EveError(
        `not enough memory to load ${name}: needs about ${formatBytes(needBytes)} as ${dtype}, ${formatBytes(available)} is free` +
          (dtype === 'f32' ? ' (try --dtype bf16, or q8_0 / q4_0)' : dtype !== 'q4_0' ? ' (try --dtype q4_0)' : ''),
      );
    }
    let done = 0;
    const on = opts.backend ? { backend: opts.backend } : {};
    for (const key of keys) {
      if (key.endsWith(SCALES_SUFFIX) && slots.has(key.slice(0, -SCALES_SUFFIX.length))) continue; // read with its quants
      const base = key.endsWith(QUANTS_SUFFIX) ? key.slice(0, -QUANTS_SUFFIX.length) : key;
      const slot = slots.get(base);
      if (!slot) {
        (SKIPPED_KEY_PATTERNS.some((p) => p.test(key)) ? skipped : unexpected).push(key);
        continue;
      }
      const stored = base === key ? null : storedQuantization(reader, base);
      if (stored) {
        const q = new QuantizedMatrix(stored.format, await reader.read(key, on), await reader.read(base + SCALES_SUFFIX, on));
        if (isQuantFormat(dtype)) {
          model.setQuantized(base, q); // kept as stored: re-quantising would add error
        } else {
          const f = dequantize(q);
          q.dispose();
          const target = floatStorage(slot, dtype);
          model.setParameter(base, target === 'f32' ? f : castAndDispose(f, target));
        }
      } else if (quantizes(slot, dtype)) {
        // The stored bytes are quantised directly (f16/bf16 read through, no f32 copy of the matrix).
        const info = reader.info(key);
        model.setQuantized(key, quantizeHostMatrix(hostArrayFromBytes(info.dtype, await reader.readRaw(key)), info.dtype, info.shape, dtype, opts.backend));
      } else {
        model.setParameter(key, await reader.read(key, { dtype: floatStorage(slot, dtype), ...on }));
      }
      opts.onProgress?.(++done, slots.size - (tied ? 1 : 0), base);
    }
    if (tied) {
      const embed = model.model.embedTokens.weightSlot;
      if (embed.quantized) model.setQuantized('lm_head.weight', embed.quantized);
      else model.setParameter('lm_head.weight', model.model.embedTokens.weight);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    await reader.close();
  }
  if (skipped.length > 0) log(`skipped ${skipped.length} training-only tensors (CLIP teacher, patch aligning layer, rotary inv_freq)`);
  if (unexpected.length > 0) log(`skipped ${unexpected.length} unknown tensors: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', …' : ''}`);
  model.eval();
  return { model, config, processor, report: { weightBytes, skipped, unexpected, processorSource: source } };
}

function castAndDispose(t: Tensor, dtype: DType): Tensor {
  const c = cast(t, dtype);
  t.dispose();
  return c;
}

/**
 * Loads the parameters of `module` from a checkpoint folder's weights, each key being
 * `prefix + <the module's own key>` (e.g. the CLIP teacher under `model.vision_clip.`, the aligning
 * layer under `model.vision_tower_compressor.`). Missing or misshapen keys are errors naming them.
 */
export async function loadModuleWeights(
  dir: string,
  module: Module,
  prefix: string,
  opts: { backend?: string; dtype?: DType } = {},
): Promise<void> {
  const reader = await openWeights(dir);
  try {
    for (const [key, slot] of module.namedParameters()) {
      const full = prefix + key;
      if (!reader.has(full)) throw new EveError(`${dir}: missing weight ${full}`);
      const info = reader.info(full);
      if (info.shape.length !== slot.shape.length || info.shape.some((d, i) => d !== slot.shape[i])) {
        throw new EveError(`${dir}: ${full} has shape ${shapeStr(info.shape)}, the module needs ${shapeStr(slot.shape)}`);
      }
      module.setParameter(key, await reader.read(full, { dtype: storageDTypeFor(slot.role, opts.dtype ?? 'f32'), ...(opts.backend ? { backend: opts.backend } : {}) }));
    }
  } finally {
    await reader.close();
  }
}

/** The training-only modules of an EVE checkpoint: the frozen CLIP teacher and the patch aligning layer. */
export interface EveTrainingModules {
  teacher: ClipVisionTower;
  compressor: VisionCompressor;
}

/**
 * Builds and loads the CLIP teacher (`model.vision_clip.*`, config from the folder
 * `mm_vision_tower_clip` names, relative to `dir`, e.g. a local copy of
 * openai/clip-vit-large-patch14-336) and the aligning layer (`model.vision_tower_compressor.*`).
 * The teacher is frozen (requiresGrad false); the aligning layer trains.
 */
export async function loadTrainingModules(dir: string, loaded: LoadedEve, opts: { backend?: string; dtype?: DType } = {}): Promise<EveTrainingModules> {
  const name = loaded.config.mmVisionTowerClip;
  if (!name) throw new EveError(`${dir}: config.json has no mm_vision_tower_clip`);
  const clipDir = nodePath.isAbsolute(name) ? name : nodePath.join(dir, name);
  const clipConfig = parseClipVisionConfig(await readJson(nodePath.join(clipDir, 'config.json')));
  const teacher = new ClipVisionTower(clipConfig, loaded.config.mmVisionSelectLayer);
  const compressor = new VisionCompressor(loaded.config.hiddenSize, loaded.config.numHiddenLayers, clipConfig.hiddenSize, loaded.processor);
  try {
    await loadModuleWeights(dir, teacher, 'model.vision_clip.', opts);
    await loadModuleWeights(dir, compressor, 'model.vision_tower_compressor.', opts);
  } catch (e) {
    teacher.dispose();
    compressor.dispose();
    throw e;
  }
  teacher.setRequiresGrad(false).eval();
  compressor.setRequiresGrad(true).train();
  return { teacher, compressor };
}
