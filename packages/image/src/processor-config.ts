/**
 * EVE's image-processor configuration (`preprocessor_config.json`): the fields EVE's
 * `process_images` reads from its CLIPImageProcessor, parsed and validated. The two released
 * configs are not public; the reconstructions of spec §2.3 ship in `processors/` of this package.
 * This file only reads configs; it does not resize or normalise.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodeUrl from 'node:url';
import type * as NodePath from 'node:path';
import { EveError, FormatError, nodeBuiltin } from '@evejs/tensor';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodeUrl = nodeBuiltin<typeof NodeUrl>('node:url');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

/** The processor settings EVE's any-ratio pipeline uses. */
export interface ProcessorConfig {
  /** Side of the square model canvas (672 for EVE-7B, 1344 for EVE-7B-HD). */
  readonly imageSize: number;
  /** Side of the CLIP teacher canvas and of the base patch grid (336). */
  readonly imageSizeClip: number;
  /** Patch-embedding kernel/stride (14). */
  readonly patchStride: number;
  /** Local-attention pooling window (2). */
  readonly convStride: number;
  /** CLIP patch size: the grid the base geometry is rounded to (14). */
  readonly patchStrideClip: number;
  /** Per-channel mean (RGB), also the padding colour after `trunc(mean × 255)`. */
  readonly imageMean: readonly [number, number, number];
  /** Per-channel standard deviation (RGB). */
  readonly imageStd: readonly [number, number, number];
  readonly doRescale: boolean;
  /** 1/255 unless configured. */
  readonly rescaleFactor: number;
  readonly doNormalize: boolean;
}

/** Names of the configs shipped with this package. */
export type BuiltinProcessor = 'eve-patch14-anypixel-672' | 'eve-patch14-anypixel-1344';

/** CLIP's normalisation, EVE's too: the default when a config gives no `image_mean` / `image_std`. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

function num(raw: Record<string, unknown>, key: string, file: string, fallback?: number): number {
  const v = raw[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FormatError(file, `"${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function triple(raw: Record<string, unknown>, key: string, file: string, fallback: readonly [number, number, number]): readonly [number, number, number] {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v === 'number') return [v, v, v];
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new FormatError(file, `"${key}" must be 3 numbers, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1], v[2]] as [number, number, number];
}

function positiveInt(value: number, key: string, file: string): void {
  if (!Number.isInteger(value) || value < 1) throw new FormatError(file, `"${key}" must be a positive integer, got ${value}`);
}

/**
 * Validates a parsed `preprocessor_config.json` object (HF field names) and checks the
 * constraints EVE asserts: `image_size` a multiple of `image_size_clip`, `image_size_clip` a
 * multiple of `patch_stride_clip`, and `image_size` a multiple of `patch_stride × conv_stride`.
 *
 * @param source names the file in error messages.
 */
export function parseProcessorConfig(raw: unknown, source = 'preprocessor_config.json'): ProcessorConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FormatError(source, 'expected a JSON object');
  const r = raw as Record<string, unknown>;
  const imageSize = num(r, 'image_size', source);
  const imageSizeClip = num(r, 'image_size_clip', source);
  const patchStride = num(r, 'patch_stride', source);
  const convStride = num(r, 'conv_stride', source);
  const patchStrideClip = num(r, 'patch_stride_clip', source);
  for (const [k, v] of [
    ['image_size', imageSize],
    ['image_size_clip', imageSizeClip],
    ['patch_stride', patchStride],
    ['conv_stride', convStride],
    ['patch_stride_clip', patchStrideClip],
  ] as const) {
    positiveInt(v, k, source);
  }
  if (imageSize % imageSizeClip !== 0) throw new FormatError(source, `image_size ${imageSize} is not a multiple of image_size_clip ${imageSizeClip}`);
  if (imageSizeClip % patchStrideClip !== 0) throw new FormatError(source, `image_size_clip ${imageSizeClip} is not a multiple of patch_stride_clip ${patchStrideClip}`);
  if (imageSize % (patchStride * convStride) !== 0) {
    throw new FormatError(source, `image_size ${imageSize} is not a multiple of patch_stride × conv_stride = ${patchStride * convStride}`);
  }
  // The padded region must fall on whole patches, or the model's pooled mask would not be 0/1.
  if (((imageSize / imageSizeClip) * patchStrideClip) % patchStride !== 0) {
    throw new FormatError(source, `(image_size / image_size_clip) × patch_stride_clip is not a multiple of patch_stride ${patchStride}`);
  }
  const imageStd = triple(r, 'image_std', source, CLIP_STD);
  if (imageStd.some((s) => s === 0)) throw new FormatError(source, 'image_std must not contain 0');
  return {
    imageSize,
    imageSizeClip,
    patchStride,
    convStride,
    patchStrideClip,
    imageMean: triple(r, 'image_mean', source, CLIP_MEAN),
    imageStd,
    doRescale: r['do_rescale'] !== false,
    rescaleFactor: num(r, 'rescale_factor', source, 1 / 255),
    doNormalize: r['do_normalize'] !== false,
  };
}

/**
 * Reads a processor config from a `preprocessor_config.json` file or a directory holding one.
 * Errors name the path.
 */
export async function loadProcessorConfig(path: string): Promise<ProcessorConfig> {
  let file = path;
  try {
    if ((await nodeFs.stat(path)).isDirectory()) file = nodePath.join(path, 'preprocessor_config.json');
  } catch {
    throw new EveError(`${path}: no such processor config file or directory`);
  }
  let text: string;
  try {
    text = await nodeFs.readFile(file, 'utf8');
  } catch (err) {
    throw new EveError(`${file}: cannot read processor config (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FormatError(file, `invalid JSON (${(err as Error).message})`);
  }
  return parseProcessorConfig(raw, file);
}

/** Path of a config shipped in this package's `processors/` folder. */
export function builtinProcessorPath(name: BuiltinProcessor): string {
  return nodeUrl.fileURLToPath(new URL(`../processors/${name}/preprocessor_config.json`, import.meta.url));
}

/** Loads one of the two reconstructed EVE configs shipped with this package. */
export function loadBuiltinProcessorConfig(name: BuiltinProcessor): Promise<ProcessorConfig> {
  return loadProcessorConfig(builtinProcessorPath(name));
}

/**
 * The reconstructed `preprocessor_config.json` (EVE-SPEC §2.3) for a checkpoint that names its
 * processor only through `mm_vision_tower` (`…/eve-patch14-anypixel-<size>`, files not on the Hub):
 * the raw JSON fields, or null when the name does not say the size. The model loader, the runtime
 * and the demo page all reconstruct through this one function.
 */
export function reconstructedProcessorJson(visionTower: string | null | undefined): Record<string, unknown> | null {
  const m = visionTower ? /anypixel-(\d+)$/.exec(visionTower) : null;
  if (!m) return null;
  return {
    image_size: Number(m[1]),
    image_size_clip: 336,
    patch_stride: 14,
    conv_stride: 2,
    patch_stride_clip: 14,
    image_mean: [...CLIP_MEAN],
    image_std: [...CLIP_STD],
  };
}
