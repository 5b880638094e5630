// `eve preprocess`: runs EVE's any-ratio image preprocessing and writes `pixel_values`
// (F32 [4, S, S]) to a safetensors file, optionally with PNGs of what the model sees.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EveError, saveSafetensors } from '@evejs/tensor';
import { decodeImage, denormalizeToRgb, encodePng, loadProcessorConfig, maskToGrey, pixelValuesToTensor, preprocessImage } from '@evejs/image';
import { registerBackends } from '../backends.js';

interface PreprocessOptions {
  processor: string;
  image: string;
  out: string;
  png?: string;
  exifOrientation?: boolean;
  maxPixels?: string;
}

/** `<name>.png` → `<name>.mask.png` (or appends `.mask.png`). */
export function maskPngPath(png: string): string {
  return /\.png$/i.test(png) ? png.replace(/\.png$/i, '.mask.png') : `${png}.mask.png`;
}

export function registerPreprocessCommand(program: Command): void {
  program
    .command('preprocess')
    .description("run EVE's any-ratio image preprocessing and save pixel_values [4, S, S] as safetensors")
    .requiredOption('--processor <path>', 'preprocessor_config.json or the directory holding it')
    .requiredOption('--image <file>', 'input image (PNG, JPEG, WebP, GIF, AVIF, TIFF)')
    .requiredOption('--out <file>', 'output .safetensors file')
    .option('--png <file>', 'also write the de-normalised RGB canvas here, and the mask next to it as <name>.mask.png')
    .option('--exif-orientation', 'apply the EXIF orientation tag (the reference does not)')
    .option('--max-pixels <n>', 'refuse images with more pixels than this (default 178956970, as Pillow)')
    .action(async (opts: PreprocessOptions) => {
      const maxPixels = opts.maxPixels === undefined ? undefined : Number(opts.maxPixels);
      if (maxPixels !== undefined && !(Number.isInteger(maxPixels) && maxPixels > 0)) throw new EveError(`--max-pixels must be a positive integer, got ${opts.maxPixels}`);
      const config = await loadProcessorConfig(opts.processor);
      const image = await decodeImage(opts.image, { applyExifOrientation: opts.exifOrientation === true, ...(maxPixels ? { maxPixels } : {}) });
      const result = preprocessImage(image, config);
      const g = result.geometry;
      registerBackends();
      await saveSafetensors(opts.out, { pixel_values: pixelValuesToTensor(result) }, {
        source: opts.image,
        basehw: JSON.stringify(g.basehw),
        needhw: JSON.stringify(g.needhw),
        patch_box: JSON.stringify(g.patchBox),
        num_image_tokens: String(g.numImageTokens),
      });
      if (opts.png) {
        await writeFile(opts.png, await encodePng(denormalizeToRgb(result, config)));
        await writeFile(maskPngPath(opts.png), await encodePng(maskToGrey(result)));
      }
      process.stdout.write(
        `${opts.image}: ${image.width}×${image.height} ${image.format} → pixel_values [${result.shape.join(', ')}]\n` +
          `  basehw ${JSON.stringify(g.basehw)}, resized to ${g.needhw[0]}×${g.needhw[1]}, valid box ${JSON.stringify(g.validBox)}\n` +
          `  patch box ${JSON.stringify(g.patchBox)}, tokens ${g.tokenRows}×${g.tokenCols} → ${g.numImageTokens} image tokens\n` +
          `  wrote ${opts.out}${opts.png ? `, ${opts.png}, ${maskPngPath(opts.png)}` : ''}\n`,
      );
    });
}
