/**
 * Decodes PNG, JPEG, WebP, GIF (first frame), AVIF and TIFF with sharp into 8-bit RGB the way
 * EVE's reference gets it: `PIL.Image.open(f).convert('RGB')` (Pillow 9.4).
 *
 * Parity choices (each checked against Pillow, see test/fixtures/decode):
 * - alpha is dropped, not blended (PIL's RGBA → RGB); grey is replicated; palettes are expanded;
 * - CMYK goes through PIL's naive formula `255 − k − c·(255 − k)/255` per channel (no ICC), not
 *   through libvips' colour management;
 * - embedded ICC profiles are ignored (Pillow ignores them);
 * - transparent GIF pixels take their palette colour (PIL opens GIFs as palette images);
 * - 16-bit grey is clipped to 0…255 (PIL opens it as mode I and `i2rgb` clips); other 16-bit
 *   images keep their high byte (PIL's `;16B` unpackers);
 * - EXIF orientation is **not** applied unless asked (PIL does not auto-rotate).
 *
 * The pixel count is checked from the header before any pixel is decoded (decompression bombs).
 * Not here: resizing (pillow-resize.ts) and anything model-specific.
 */
import type { Metadata } from 'sharp';
import { EveError, FormatError } from '@evejs/tensor';
import type { PixelImage } from './pillow-resize.js';
import { gifTransparentColour } from './gif-transparent-colour.js';
import { readImageInput, type ImageInput } from './image-source.js';
import { loadSharp } from './load-sharp.js';

/** Pillow's `DecompressionBombError` threshold: 2 × `Image.MAX_IMAGE_PIXELS` (89 478 485). */
export const DEFAULT_MAX_PIXELS = 2 * 89_478_485;

/** Container formats accepted (sharp's names; AVIF reports as `heif`). */
const SUPPORTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'tiff']);

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /**
   * Rotate/flip by the EXIF orientation tag. Default `false`: EVE's reference (PIL) ignores it,
   * so the model saw phone photos as stored. Interactive apps should pass `true`.
   */
  applyExifOrientation?: boolean;
  /** Largest accepted `width × height`, checked from the header. Default {@link DEFAULT_MAX_PIXELS}. */
  maxPixels?: number;
  /** Name used in error messages (defaults to the path, or "buffer"/"data URL"/"base64 string"). */
  name?: string;
}

/** A decoded image: 8-bit interleaved RGB plus where it came from. */
export interface DecodedImage extends PixelImage {
  readonly channels: 3;
  /** Container format as sharp names it (`jpeg`, `png`, `webp`, `gif`, `heif`, `tiff`). */
  readonly format: string;
  /** Name of the input, for messages. */
  readonly name: string;
}

/** Pillow's `cmyk2rgb`: `CLIP8(nk − MULDIV255(c, nk))` with `nk = 255 − k`. */
function cmykToRgb(src: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const nk = 255 - (src[i * 4 + 3] as number);
    for (let c = 0; c < 3; c++) {
      const t = (src[i * 4 + c] as number) * nk + 128;
      const v = nk - (((t >> 8) + t) >> 8);
      out[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/** Interleaved 1–4 channel samples to RGB: grey replicated, alpha dropped. */
function toRgb(src: ArrayLike<number>, pixels: number, channels: number, map: (v: number) => number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, p = 0; i < pixels; i++, p += channels) {
    if (channels >= 3) {
      out[i * 3] = map(src[p] as number);
      out[i * 3 + 1] = map(src[p + 1] as number);
      out[i * 3 + 2] = map(src[p + 2] as number);
    } else {
      const g = map(src[p] as number);
      out[i * 3] = g;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = g;
    }
  }
  return out;
}

function describeSharpError(err: unknown): string {
  const msg = (err as Error)?.message ?? String(err);
  if (/unsupported image format/i.test(msg)) return 'unsupported or unrecognised image format';
  if (/pixel limit/i.test(msg)) return `image exceeds the pixel limit (${msg})`;
  return `cannot decode image (${msg.split('\n')[0]})`;
}

/**
 * Decodes an image (path, bytes, data URL or base64) to 8-bit RGB like PIL's
 * `Image.open(x).convert('RGB')`.
 *
 * Throws `EveError` for unreadable paths and `FormatError` (naming the input) for unsupported
 * formats, truncated or corrupt data, zero-size images and images over `maxPixels`.
 *
 * @example
 * const img = await decodeImage('photo.jpg', { applyExifOrientation: true });
 * // img.width, img.height, img.data (RGB bytes)
 */
export async function decodeImage(input: ImageInput, options: DecodeImageOptions = {}): Promise<DecodedImage> {
  const { bytes, name } = await readImageInput(input, options.name);
  const sharp = await loadSharp();
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new FormatError(name, 'empty file');
  // limitInputPixels: false — our own check below runs first and names the limit; sharp's default
  // (≈268 MP) would otherwise mask a larger configured limit.
  const sharpOptions = { failOn: 'truncated', limitInputPixels: false, ignoreIcc: true, pages: 1, page: 0, autoOrient: options.applyExifOrientation === true } as const;
  let meta: Metadata;
  try {
    meta = await sharp(bytes, sharpOptions).metadata();
  } catch (err) {
    throw new FormatError(name, describeSharpError(err));
  }
  const format = meta.format ?? 'unknown';
  if (!SUPPORTED_FORMATS.has(format)) throw new FormatError(name, `unsupported image format "${format}" (expected PNG, JPEG, WebP, GIF, AVIF or TIFF)`);
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new FormatError(name, `image has zero size (${width}×${height})`);
  if (width * height > maxPixels) {
    throw new FormatError(name, `image is ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels} (possible decompression bomb; raise maxPixels to allow it)`);
  }
  try {
    const pipeline = sharp(bytes, sharpOptions);
    if (meta.space === 'cmyk') {
      // Keep raw CMYK (no ICC conversion) and convert as PIL does.
      const { data, info } = await pipeline.pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 4) throw new Error(`expected 4 CMYK channels, got ${info.channels}`);
      return { data: cmykToRgb(data, info.width * info.height), width: info.width, height: info.height, channels: 3, format, name };
    }
    if (meta.depth === 'ushort') {
      // Ask for the 16-bit samples themselves (sharp would otherwise scale to 8-bit sRGB first).
      const isGrey = (meta.channels ?? 3) <= 2;
      const { data, info } = await pipeline.toColourspace(isGrey ? 'grey16' : 'rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
      const samples = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
      // 16-bit grey (no alpha) opens as PIL mode I and is clipped; everything else keeps the high byte.
      const isGreyOnly = isGrey && meta.channels === 1;
      const map = isGreyOnly ? (v: number) => (v > 255 ? 255 : v) : (v: number) => v >> 8;
      return { data: toRgb(samples, info.width * info.height, info.channels, map), width: info.width, height: info.height, channels: 3, format, name };
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const pixels = info.width * info.height;
    const rgb = info.channels === 3 ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : toRgb(data, pixels, info.channels, (v) => v);
    const transparent = format === 'gif' && info.channels === 4 ? gifTransparentColour(bytes) : null;
    if (transparent) {
      // PIL shows transparent GIF pixels in their palette colour; sharp zeroes them.
      for (let i = 0; i < pixels; i++) if (data[i * 4 + 3] === 0) rgb.set(transparent, i * 3);
    }
    return { data: rgb, width: info.width, height: info.height, channels: 3, format, name };
  } catch (err) {
    if (err instanceof EveError) throw err;
    throw new FormatError(name, describeSharpError(err));
  }
}
