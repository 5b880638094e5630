/**
 * The inverse view of preprocessed pixel values, for looking at what the model sees (the CLI's
 * `--png`): colour planes back to 8-bit RGB, and the mask plane as a black/white image.
 * Lossy by design (rounds to bytes); not used by the model path.
 */
import type { PixelValues } from './anypixel-preprocess.js';
import type { PixelImage } from './pillow-resize.js';
import type { ProcessorConfig } from './processor-config.js';

/**
 * Undoes normalisation and rescaling: `round((x · std + mean) / rescale)` clamped to 0…255.
 * Exact for values produced by `preprocessImage` (the float32 error is far below half a level).
 */
export function denormalizeToRgb(values: PixelValues, config: Pick<ProcessorConfig, 'imageMean' | 'imageStd' | 'doRescale' | 'rescaleFactor' | 'doNormalize'>): PixelImage {
  const [, height, width] = values.shape;
  const plane = height * width;
  const out = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const mean = config.doNormalize ? (config.imageMean[c] as number) : 0;
    const std = config.doNormalize ? (config.imageStd[c] as number) : 1;
    const scale = config.doRescale ? config.rescaleFactor : 1;
    for (let i = 0; i < plane; i++) {
      const v = Math.round(((values.data[c * plane + i] as number) * std + mean) / scale);
      out[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data: out, width, height, channels: 3 };
}

/** The mask plane (channel 3) as a one-channel image: 255 where valid, 0 in the padding. */
export function maskToGrey(values: PixelValues): PixelImage {
  const [, height, width] = values.shape;
  const plane = height * width;
  const out = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) out[i] = (values.data[3 * plane + i] as number) > 0.5 ? 255 : 0;
  return { data: out, width, height, channels: 1 };
}
