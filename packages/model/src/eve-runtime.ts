/**
 * `@evejs/model/runtime` (Node): one loaded EVE checkpoint with its tokenizer, image processor
 * config and conversation template, and what an application needs from them: prompt ids
 * (`<image>` spliced as -200), a preprocessed image with its token count (§3.6, known before the
 * model runs, so context limits are checked up front), and a token stream from `generate`.
 * The server, `eve chat`/`eve eval` and any Node app share it; it knows nothing about HTTP.
 * A separate subpath because it decodes images with sharp, which browsers do not have.
 */
import { basename, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { EveError } from '@evejs/tensor';
import { decodeImage, loadBuiltinProcessorConfig, loadProcessorConfig, parseProcessorConfig, preprocessImage, type ProcessorConfig } from '@evejs/image';
import { generate, type GeneratedToken } from './generate.js';
import { prepareImage, type EveImage } from './eve-for-causal-lm.js';
import { loadPretrained, type LoadedEve } from './load-pretrained.js';
import type { WeightDType } from './module.js';
import { getConversationTemplate, loadTokenizer, tokenizerImageToken, type ConversationTemplate, type LlamaTokenizer } from '@evejs/tokenizer';

/** Options of {@link loadEveRuntime}. */
export interface LoadEveRuntimeOptions {
  /** Backend name, already registered and initialised by the caller (e.g. the CLI's `selectBackend`). */
  backend: string;
  /** Weight storage (default f32, or a quantised checkpoint's own format). */
  dtype?: WeightDType;
  /** Folder with tokenizer.model / tokenizer.json (default: the checkpoint folder). */
  tokenizerDir?: string;
  /** Conversation template (default `vicuna_v1`, as EVE's runners and demo). */
  convMode?: string;
  /** Model id the API reports and requests must name (default: the checkpoint folder's name). */
  modelId?: string;
  /** Load progress and notes. */
  log?: (message: string) => void;
}

/** One decoded and preprocessed image, not yet on the backend. */
export interface PreparedImage {
  readonly width: number;
  readonly height: number;
  /** Image tokens it becomes in the spliced sequence (§3.6). */
  readonly numImageTokens: number;
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Sampling and stopping for one generation. */
export interface RuntimeGenerateOptions {
  image: PreparedImage | null;
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number;
  /** HF repetition penalty (> 1 discourages repeats; default none). */
  repetitionPenalty?: number;
  stopStrings: readonly string[];
  signal: AbortSignal;
}

export class EveRuntime {
  constructor(
    readonly loaded: LoadedEve,
    readonly tokenizer: LlamaTokenizer,
    readonly imageProcessor: ProcessorConfig,
    readonly template: ConversationTemplate,
    readonly modelId: string,
    readonly backend: string,
  ) {
    const vocab = loaded.config.vocabSize;
    // Ids past the model's vocabulary would index outside the embedding table.
    if (tokenizer.vocabSize > vocab) throw new EveError(`tokenizer has ${tokenizer.vocabSize} ids but the model's vocab_size is ${vocab}; pass the matching --tokenizer`);
  }

  /** Positions the model can attend over (max_position_embeddings). */
  get contextLength(): number {
    return this.loaded.config.maxPositionEmbeddings;
  }

  /** Prompt text → ids with -200 where `<image>` stands (`tokenizer_image_token`). */
  encodePrompt(prompt: string): number[] {
    return tokenizerImageToken(this.tokenizer, prompt);
  }

  /**
   * Decodes (sharp, pixel limit checked from the header) and preprocesses one image. EXIF
   * orientation is ignored unless asked for, as the release does (PIL's open): evaluation keeps
   * that parity; user-facing apps (chat, the server, the demo) turn it on so phone photos are
   * seen upright.
   */
  async prepareImage(bytes: Uint8Array, name: string, maxPixels: number, opts: { applyExifOrientation?: boolean } = {}): Promise<PreparedImage> {
    const decoded = await decodeImage(bytes, { name, maxPixels, applyExifOrientation: opts.applyExifOrientation === true });
    const pre = preprocessImage(decoded, this.imageProcessor);
    return { width: decoded.width, height: decoded.height, numImageTokens: pre.geometry.numImageTokens, data: pre.data, shape: pre.shape };
  }

  /** Streams generated tokens; text deltas exclude stop strings. */
  async *generate(ids: readonly number[], opts: RuntimeGenerateOptions): AsyncGenerator<GeneratedToken> {
    const image: EveImage | null = opts.image ? prepareImage(opts.image.data, opts.image.shape, this.loaded.processor.patchStride, this.backend) : null;
    try {
      const penalty = opts.repetitionPenalty !== undefined ? { repetitionPenalty: opts.repetitionPenalty } : {};
      const sampling = opts.temperature > 0 ? { temperature: opts.temperature, topP: opts.topP, topK: opts.topK, seed: opts.seed, ...penalty } : { temperature: 0, ...penalty };
      const decode = (out: readonly number[]) => this.tokenizer.decode(out, { skipSpecialTokens: true });
      const out: number[] = [];
      let emitted = '';
      for await (const step of generate(this.loaded.model, ids, {
        ...sampling,
        images: image ? [image] : [],
        maxNewTokens: opts.maxNewTokens,
        decode,
        stopStrings: opts.stopStrings,
        signal: opts.signal,
      })) {
        out.push(step.token);
        let text = step.text;
        if (step.finishReason) {
          // `generate` holds back a trailing U+FFFD (a character still incomplete); at the end
          // nothing more will come, so flush it as the reference's one-shot decode shows it.
          let full = decode(out);
          for (const s of opts.stopStrings) {
            const i = full.indexOf(s);
            if (i >= 0) full = full.slice(0, i);
          }
          if (full.startsWith(emitted + text)) text = full.slice(emitted.length);
        }
        emitted += text;
        yield text === step.text ? step : { ...step, text };
      }
    } finally {
      image?.pixels.dispose();
    }
  }

  dispose(): void {
    this.loaded.model.dispose();
  }
}

/**
 * The image preprocessing config matching a loaded checkpoint: the preprocessor_config.json the
 * loader found, else the built-in 672/1344 configs for the official checkpoints' names.
 */
export async function imageProcessorOf(loaded: LoadedEve): Promise<ProcessorConfig> {
  const src = loaded.report.processorSource;
  if (await stat(src).then(() => true, () => false)) return loadProcessorConfig(src);
  const size = loaded.processor.imageSize;
  if (size === 672 || size === 1344) return loadBuiltinProcessorConfig(`eve-patch14-anypixel-${size}`);
  return parseProcessorConfig(loaded.processor.raw, src);
}

/** Loads checkpoint, tokenizer and processor config for serving. */
export async function loadEveRuntime(modelDir: string, opts: LoadEveRuntimeOptions): Promise<EveRuntime> {
  const template = getConversationTemplate(opts.convMode ?? 'vicuna_v1');
  const [loaded, tokenizer] = await Promise.all([
    loadPretrained(modelDir, { backend: opts.backend, ...(opts.dtype ? { dtype: opts.dtype } : {}), ...(opts.log ? { log: opts.log } : {}) }),
    loadTokenizer(opts.tokenizerDir ?? modelDir),
  ]);
  try {
    const processor = await imageProcessorOf(loaded);
    return new EveRuntime(loaded, tokenizer, processor, template, opts.modelId ?? basename(resolve(modelDir)), opts.backend);
  } catch (e) {
    loaded.model.dispose();
    throw e;
  }
}
