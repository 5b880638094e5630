// `eve forward`: one forward pass of an EVE checkpoint over given token ids (and an image), for
// comparing with the PyTorch reference. Writes `logits` (F32 [sequence, vocab], over the sequence
// after the image tokens are spliced in at -200) and, with an image, `image_embeds` (F32
// [image tokens, hidden], the projector output). Needs no tokenizer files.
import type { Command } from 'commander';
import { EveError, noGrad, reshape, saveSafetensors, type Tensor, tidy } from '@evejs/tensor';
import { decodeImage, preprocessImage } from '@evejs/image';
import { imageProcessorOf } from '@evejs/model/runtime';
import { IMAGE_TOKEN_INDEX, loadPretrained, prepareImage, type EveImage, type LoadedEve, type WeightDType } from '@evejs/model';
import { selectBackend } from '../backends.js';

/** `--dtype` values for weights; undefined keeps the loader's default (f32, or a quantised copy's own format). */
export function parseDType(value: string | undefined): WeightDType | undefined {
  if (value === undefined) return undefined;
  const d = ({ q8: 'q8_0', q4: 'q4_0' } as Record<string, string>)[value] ?? value;
  if (d !== 'f32' && d !== 'f16' && d !== 'bf16' && d !== 'q8_0' && d !== 'q4_0') throw new EveError(`--dtype must be f32, f16, bf16, q8_0 (q8) or q4_0 (q4), got ${value}`);
  return d;
}

/** `{ dtype }` for the loader when `--dtype` was given (exactOptionalPropertyTypes keeps undefined out). */
export function dtypeOption(value: string | undefined): { dtype?: WeightDType } {
  const dtype = parseDType(value);
  return dtype ? { dtype } : {};
}

/** "-200,1,2" → ids; every item must be an integer. */
export function parseInputIds(value: string): number[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new EveError('--input-ids is empty');
  return items.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new EveError(`--input-ids: "${s}" is not an integer id`);
    return n;
  });
}

/**
 * Decodes and preprocesses an image file for a loaded checkpoint. `eve forward` keeps the
 * release's parity (EXIF orientation ignored); `eve chat`, a user-facing command, applies it.
 */
export async function loadEveImage(file: string, loaded: LoadedEve, opts: { applyExifOrientation?: boolean } = {}): Promise<{ image: EveImage; tokens: number }> {
  const config = await imageProcessorOf(loaded);
  const pre = preprocessImage(await decodeImage(file, { applyExifOrientation: opts.applyExifOrientation === true }), config);
  return { image: prepareImage(pre.data, pre.shape, loaded.processor.patchStride), tokens: pre.geometry.numImageTokens };
}

interface ForwardOptions {
  model: string;
  image?: string;
  inputIds: string;
  out: string;
  backend?: string;
  dtype?: string;
}

export function registerForwardCommand(program: Command): void {
  program
    .command('forward')
    .description('run one forward pass and save logits [sequence, vocab] (and image_embeds) as safetensors')
    .requiredOption('--model <dir>', 'EVE checkpoint folder (config.json, preprocessor config, *.safetensors)')
    .requiredOption('--input-ids <ids>', 'comma-separated token ids; -200 marks the image (write --input-ids=-200,1,…)')
    .requiredOption('--out <file>', 'output .safetensors file')
    .option('--image <file>', 'image for the -200 placeholder')
    .option('--backend <name>', 'compute backend (default: EVE_BACKEND or cpu)')
    .option('--dtype <dtype>', 'weight storage: f32 (default), f16, bf16, or block-quantised q8_0 / q4_0 (also q8, q4: about 1/4 and 1/7 of f32; a quantised copy from `eve convert --quantize` loads as stored)')
    .action(async (opts: ForwardOptions) => {
      const ids = parseInputIds(opts.inputIds);
      const placeholders = ids.filter((i) => i === IMAGE_TOKEN_INDEX).length;
      if (placeholders > 1) throw new EveError(`--input-ids has ${placeholders} image placeholders; forward takes one image`);
      if (placeholders === 1 && !opts.image) throw new EveError('--input-ids contains -200 but no --image was given');
      const backend = await selectBackend(opts.backend);
      const loaded = await loadPretrained(opts.model, { backend, ...dtypeOption(opts.dtype) });
      try {
        const images = opts.image && placeholders === 1 ? [(await loadEveImage(opts.image, loaded)).image] : [];
        if (opts.image && placeholders === 0) process.stderr.write('eve: --image ignored: --input-ids has no -200 placeholder\n');
        const out: Record<string, Tensor> = noGrad(() =>
          tidy(() => {
            const r = loaded.model.forward(ids, images);
            const logits = reshape(r.logits, r.logits.shape.slice(1));
            const tensors: Record<string, Tensor> = { logits };
            if (r.imageEmbeds[0]) tensors['image_embeds'] = r.imageEmbeds[0];
            return tensors;
          }),
        );
        for (const im of images) im.pixels.dispose();
        await saveSafetensors(opts.out, out, { model: opts.model, input_ids: ids.join(','), ...(opts.image ? { image: opts.image } : {}) });
        const shapes = Object.entries(out).map(([k, t]) => `${k} [${t.shape.join(', ')}]`);
        for (const t of Object.values(out)) t.dispose();
        process.stdout.write(`wrote ${opts.out}: ${shapes.join(', ')}\n`);
      } finally {
        loaded.model.dispose();
      }
    });
}
