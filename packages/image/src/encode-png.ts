/**
 * Encodes 8-bit pixels as PNG with sharp, for looking at preprocessed images (the CLI's `--png`).
 * Output only; decoding is in decode-image.ts.
 */
import { loadSharp } from './load-sharp.js';
import type { PixelImage } from './pillow-resize.js';

/** PNG bytes of a 1-, 3- or 4-channel 8-bit image. */
export async function encodePng(image: PixelImage): Promise<Uint8Array> {
  const { width, height, channels } = image;
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new RangeError(`encodePng: unsupported channel count ${channels}`);
  const sharp = await loadSharp();
  let pipeline = sharp(image.data, { raw: { width, height, channels } });
  // Without this sharp writes one-channel input as an RGB PNG.
  if (channels === 1) pipeline = pipeline.toColourspace('b-w');
  const out = await pipeline.png().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
