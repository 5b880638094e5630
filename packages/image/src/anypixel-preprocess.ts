/**
 * EVE's any-ratio preprocessing of a decoded RGB image (`process_images` in `eve/mm_utils.py`,
 * the same steps in `eve/train/train.py`): Pillow-exact bicubic resize to `needhw`, paste on a
 * square canvas of the mean colour, CLIP rescale/normalise, and a fourth 0/1 mask plane.
 * Also the CLIP teacher's input (training) and the blank image of text-only samples.
 * Decoding lives in `decode-image.ts`; this file takes pixels.
 */
import { EveError } from '@evejs/tensor';
import { anypixelGeometry, type AnypixelGeometry } from './anypixel-geometry.js';
import { resizeBicubic, type PixelImage } from './pillow-resize.js';
import type { ProcessorConfig } from './processor-config.js';

/** A float32 tensor as plain data: `data` is row-major over `shape` (`[4, H, W]`). */
export interface PixelValues {
  readonly data: Float32Array;
  readonly shape: [channels: 4, height: number, width: number];
}

/** Output of {@link preprocessImage}: the `[4, S, S]` pixel values and the layout facts. */
export interface PreprocessedImage extends PixelValues {
  readonly geometry: AnypixelGeometry;
}

/**
 * The padding colour: `tuple(int(x * 255) for x in image_mean)` → (122, 116, 104) for CLIP's mean.
 */
export function backgroundColor(config: Pick<ProcessorConfig, 'imageMean'>): [number, number, number] {
  return config.imageMean.map((m) => Math.trunc(m * 255)) as [number, number, number];
}

/**
 * Per-channel lookup table byte → normalised float32, with transformers 4.31's arithmetic:
 * `rescale` multiplies the uint8 array by a Python float (float64) and casts to float32;
 * `normalize` subtracts and divides in float32 with float32 mean/std. `Math.fround` of a
 * float64 result of one +, −, ×, ÷ on float32 inputs equals the float32 operation.
 */
export function normalizationTable(config: Pick<ProcessorConfig, 'imageMean' | 'imageStd' | 'doRescale' | 'rescaleFactor' | 'doNormalize'>): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const lut = new Float32Array(256);
    const mean = Math.fround(config.imageMean[c] as number);
    const std = Math.fround(config.imageStd[c] as number);
    for (let u = 0; u < 256; u++) {
      let x = config.doRescale ? Math.fround(u * config.rescaleFactor) : u;
      if (config.doNormalize) x = Math.fround(Math.fround(x - mean) / std);
      lut[u] = x;
    }
    return lut;
  });
}

/**
 * Writes `[4, S, S]`: a canvas of the background colour with `image` pasted at (x, y), normalised
 * through `luts`, and the mask plane (1 on `validBox`).
 */
function composeCanvas(
  image: PixelImage | null,
  x0: number,
  y0: number,
  S: number,
  bg: readonly number[],
  luts: Float32Array[],
  validBox: readonly [number, number, number, number],
): Float32Array {
  const plane = S * S;
  const out = new Float32Array(4 * plane);
  const l0 = luts[0] as Float32Array;
  const l1 = luts[1] as Float32Array;
  const l2 = luts[2] as Float32Array;
  const bg0 = l0[bg[0] as number] as number;
  const bg1 = l1[bg[1] as number] as number;
  const bg2 = l2[bg[2] as number] as number;
  const width = image ? image.width : 0;
  const height = image ? image.height : 0;
  const src = image ? image.data : null;
  // One pass, each element written once: padding segments filled, image pixels looked up.
  for (let y = 0; y < S; y++) {
    const r = y * S;
    const iy = y - y0;
    const hasPixels = src !== null && iy >= 0 && iy < height;
    const a = hasPixels ? x0 : S; // [0, a): padding, [a, b): image, [b, S): padding
    const b = hasPixels ? x0 + width : S;
    out.fill(bg0, r, r + a);
    out.fill(bg1, plane + r, plane + r + a);
    out.fill(bg2, 2 * plane + r, 2 * plane + r + a);
    if (hasPixels) {
      let p = iy * width * 3;
      for (let o = r + a; o < r + b; o++, p += 3) {
        out[o] = l0[src[p] as number] as number;
        out[o + plane] = l1[src[p + 1] as number] as number;
        out[o + 2 * plane] = l2[src[p + 2] as number] as number;
      }
      out.fill(bg0, r + b, r + S);
      out.fill(bg1, plane + r + b, plane + r + S);
      out.fill(bg2, 2 * plane + r + b, 2 * plane + r + S);
    }
  }
  const [mx0, my0, mx1, my1] = validBox;
  for (let y = my0; y < my1; y++) out.fill(1, 3 * plane + y * S + mx0, 3 * plane + y * S + mx1);
  return out;
}

function requireRgb(image: PixelImage, what: string): void {
  if (image.channels !== 3) throw new EveError(`${what}: expected an RGB image (3 channels), got ${image.channels}; decode with decodeImage() first`);
  if (image.data.length !== image.width * image.height * 3) throw new EveError(`${what}: data length does not match ${image.width}×${image.height}×3`);
}

/**
 * EVE's `process_images` for one RGB image: `[4, S, S]` float32 (3 normalised colour planes and
 * the mask) plus its {@link AnypixelGeometry}.
 *
 * @example
 * const img = await decodeImage('cat.jpg');
 * const { data, shape, geometry } = preprocessImage(img, await loadBuiltinProcessorConfig('eve-patch14-anypixel-672'));
 * // shape = [4, 672, 672]; geometry.numImageTokens = 451 for a 640×480 photo
 */
export function preprocessImage(image: PixelImage, config: ProcessorConfig): PreprocessedImage {
  requireRgb(image, 'preprocessImage');
  const geometry = anypixelGeometry(image.width, image.height, config);
  const [needW, needH, pre] = geometry.needhw;
  const resized = resizeBicubic(image, needW, needH);
  const S = config.imageSize;
  // Pasted at (0, pre) for landscape, (pre, 0) otherwise; no paste offset when already square.
  const x0 = geometry.isPadded && !geometry.isLandscape ? pre : 0;
  const y0 = geometry.isPadded && geometry.isLandscape ? pre : 0;
  const data = composeCanvas(resized, x0, y0, S, backgroundColor(config), normalizationTable(config), geometry.validBox);
  return { data, shape: [4, S, S], geometry };
}

/**
 * The CLIP teacher's input `images_clip` used by the aligning loss in training (`train.py`):
 * the raw image resized straight to `basehw`, padded on an `image_size_clip` canvas at `pre`,
 * normalised, with the mask → `[4, 336, 336]`. The teacher processor
 * (openai/clip-vit-large-patch14-336) uses the same CLIP mean/std, and its resize/centre crop
 * are no-ops on a 336² canvas, so `config`'s normalisation applies.
 */
export function preprocessTeacherImage(image: PixelImage, config: ProcessorConfig): PixelValues {
  requireRgb(image, 'preprocessTeacherImage');
  const geometry = anypixelGeometry(image.width, image.height, config);
  const [w, h, pre, val] = geometry.basehw;
  const M = config.imageSizeClip;
  const resized = resizeBicubic(image, w, h);
  const isPadded = w !== h;
  const x0 = isPadded && !geometry.isLandscape ? pre : 0;
  const y0 = isPadded && geometry.isLandscape ? pre : 0;
  const box: [number, number, number, number] = !isPadded ? [0, 0, M, M] : geometry.isLandscape ? [0, pre, M, pre + val] : [pre, 0, pre + val, M];
  return { data: composeCanvas(resized, x0, y0, M, backgroundColor(config), normalizationTable(config), box), shape: [4, M, M] };
}

/**
 * The image a text-only training sample carries: a canvas of the background colour with an
 * all-zero mask, `[4, S, S]` (or the teacher's `[4, 336, 336]` with `teacher: true`).
 */
export function blankImage(config: ProcessorConfig, options: { teacher?: boolean } = {}): PixelValues {
  const S = options.teacher ? config.imageSizeClip : config.imageSize;
  return { data: composeCanvas(null, 0, 0, S, backgroundColor(config), normalizationTable(config), [0, 0, 0, 0]), shape: [4, S, S] };
}
