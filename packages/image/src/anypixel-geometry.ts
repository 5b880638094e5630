/**
 * The geometry of EVE's any-ratio ("anypixel") preprocessing: EVE's `compute_basehw`
 * (`eve/mm_utils.py`), the scaled target size, where the resized image sits on the square canvas,
 * the valid region in pixels and in patches, and the number of image tokens the vision tokenizer
 * will produce. Pure arithmetic on sizes; no pixels are touched here.
 */
import { EveError } from '@evejs/tensor';
import type { ProcessorConfig } from './processor-config.js';

/** `[new_w, new_h, pre, val, post]`, exactly EVE's `basehw` list. */
export type BaseHW = readonly [newWidth: number, newHeight: number, pre: number, val: number, post: number];

/** Everything the model and the teacher need to know about one image's layout. */
export interface AnypixelGeometry {
  /** Source size. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /** `width > height`: pads rows; otherwise (portrait or square) pads columns. */
  readonly isLandscape: boolean;
  /** EVE's `basehw` on the CLIP grid (`image_size_clip`, `patch_stride_clip`). */
  readonly basehw: BaseHW;
  /** Valid patches on the CLIP grid along the short side (1 … image_size_clip / patch_stride_clip). */
  readonly validPatchesClip: number;
  /** `image_size / image_size_clip`. */
  readonly ratio: number;
  /** `ratio × basehw`: the resize target `[width, height]` and the padding `[pre, val, post]`. */
  readonly needhw: BaseHW;
  /** Side of the output canvas (`image_size`). */
  readonly canvasSize: number;
  /** Whether the canvas has padding (false when the resized image is already square). */
  readonly isPadded: boolean;
  /** Valid pixel region on the canvas: `[x0, y0, x1, y1)` (end exclusive); mask = 1 inside. */
  readonly validBox: readonly [x0: number, y0: number, x1: number, y1: number];
  /**
   * Valid region on the patch-embedding grid (`canvasSize / patch_stride` square), inclusive
   * `[h1, w1, h2, w2]` as EVE's `VisionTokenizer` crops it (first and last non-zero pooled mask cell).
   */
  readonly patchBox: readonly [h1: number, w1: number, h2: number, w2: number];
  /** Token grid after `conv_stride` pooling: `h` rows × `w` columns. */
  readonly tokenRows: number;
  readonly tokenCols: number;
  /** `1 + h·(w + 1)`: class token plus each row with its split token. */
  readonly numImageTokens: number;
}

/**
 * EVE's `compute_basehw`: the image scaled so its long side is `image_size_clip`, its short side
 * rounded **up** to whole CLIP patches, and the padding before/after it (`pre` rounds down).
 * The ratio is evaluated as `((M * H0) / W0) / p` in float64, as Python does.
 */
export function computeBaseHW(width: number, height: number, config: Pick<ProcessorConfig, 'imageSizeClip' | 'patchStrideClip'>): BaseHW {
  const M = config.imageSizeClip;
  const p = config.patchStrideClip;
  let newW: number;
  let newH: number;
  let v: number;
  if (width > height) {
    newW = M;
    v = Math.ceil((M * height) / width / p);
    newH = v * p;
  } else {
    newH = M;
    v = Math.ceil((M * width) / height / p);
    newW = v * p;
  }
  const val = v * p;
  const pre = Math.floor((M / p - v) / 2) * p;
  return [newW, newH, pre, val, M - pre - val];
}

/** Computes the full any-ratio geometry of a `width × height` image for a processor config. */
export function anypixelGeometry(width: number, height: number, config: ProcessorConfig): AnypixelGeometry {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new EveError(`anypixelGeometry: image size must be positive integers, got ${width}×${height}`);
  }
  const basehw = computeBaseHW(width, height, config);
  const ratio = config.imageSize / config.imageSizeClip;
  const needhw = basehw.map((x) => x * ratio) as unknown as BaseHW;
  const isLandscape = width > height;
  const S = config.imageSize;
  const [needW, needH, pre, val] = needhw;
  const isPadded = needW !== needH;
  const validBox: AnypixelGeometry['validBox'] = !isPadded ? [0, 0, S, S] : isLandscape ? [0, pre, S, pre + val] : [pre, 0, pre + val, S];
  const ps = config.patchStride;
  const patchBox: AnypixelGeometry['patchBox'] = [validBox[1] / ps, validBox[0] / ps, validBox[3] / ps - 1, validBox[2] / ps - 1];
  const tokenRows = Math.floor((patchBox[2] - patchBox[0] + 1) / config.convStride);
  const tokenCols = Math.floor((patchBox[3] - patchBox[1] + 1) / config.convStride);
  return {
    sourceWidth: width,
    sourceHeight: height,
    isLandscape,
    basehw,
    validPatchesClip: basehw[3] / config.patchStrideClip,
    ratio,
    needhw,
    canvasSize: S,
    isPadded,
    validBox,
    patchBox,
    tokenRows,
    tokenCols,
    numImageTokens: 1 + tokenRows * (tokenCols + 1),
  };
}

/**
 * Token count of an image-less training sample (all-zero mask): EVE takes the top-left 16 × 16
 * patches, so `h = w = 16 / conv_stride` and `1 + h·(w + 1)` tokens (73 for conv_stride 2).
 */
export function blankImageTokenCount(config: Pick<ProcessorConfig, 'convStride'>): number {
  const h = Math.floor(16 / config.convStride);
  return 1 + h * (h + 1);
}
