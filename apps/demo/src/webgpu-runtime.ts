/**
 * In-browser mode: the whole model in the tab on WebGPU. Weights, tokenizer and image processor
 * config come as bytes (model-files.ts); generation follows apps/server's EveRuntime step for
 * step (same prompt, stop string, context clamp and leading-space trim), so with greedy
 * decoding both modes give the same answer.
 *
 * Weights are stored in f32: the SwiftShader adapter headless Chromium offers has no shader-f16.
 */
import { preprocessImage, type PixelImage, type ProcessorConfig } from '@evejs/image';
import { generate, IMAGE_TOKEN_INDEX, loadPretrainedFromFiles, prepareImage, type LoadedEve } from '@evejs/model';
import { engine, registerCpuBackend } from '@evejs/tensor';
import { getConversationTemplate, tokenizerFromFiles, tokenizerImageToken, type ConversationTemplate, type LlamaTokenizer } from '@evejs/tokenizer';
import { probeWebGpu, registerWebGpuBackend } from '@evejs/backend-webgpu';
import type { Conversation } from './conversation.js';
import type { ModelFiles } from './model-files.js';
import { processorConfigOf } from './processor-fallback.js';

/** Whether this browser can run the model, and why not. */
export async function webGpuSupport(): Promise<{ ok: boolean; reason?: string; adapter?: string }> {
  return probeWebGpu();
}

export interface BrowserGenerateOptions {
  maxTokens: number;
  temperature: number;
  seed: number;
  signal?: AbortSignal;
}

const text = (files: ModelFiles, name: string) => {
  const b = files.files.get(name);
  return b ? new TextDecoder().decode(b) : undefined;
};

export class BrowserEve {
  private constructor(
    readonly name: string,
    readonly loaded: LoadedEve,
    readonly tokenizer: LlamaTokenizer,
    readonly imageProcessor: ProcessorConfig,
    readonly template: ConversationTemplate,
  ) {}

  /** Starts WebGPU and loads the model; `onProgress` gets tensors placed so far and in all. */
  static async load(files: ModelFiles, onProgress: (loaded: number, total: number) => void): Promise<BrowserEve> {
    const config = text(files, 'config.json');
    if (!config) throw new Error(`${files.name}: config.json is missing`);
    const imageProcessor = processorConfigOf(text(files, 'preprocessor_config.json'), config);
    if (!imageProcessor) throw new Error(`${files.name}: no preprocessor_config.json, and mm_vision_tower names no anypixel processor`);
    // The model's loader reads the same numbers in its own (snake_case) form.
    const pre = {
      image_size: imageProcessor.imageSize,
      image_size_clip: imageProcessor.imageSizeClip,
      patch_stride: imageProcessor.patchStride,
      conv_stride: imageProcessor.convStride,
      patch_stride_clip: imageProcessor.patchStrideClip,
    };
    registerCpuBackend();
    registerWebGpuBackend();
    await engine.setBackend('webgpu');
    const model = files.files.get('tokenizer.model');
    const tokenizerJson = text(files, 'tokenizer.json');
    const tokenizerConfig = text(files, 'tokenizer_config.json');
    const specialTokensMap = text(files, 'special_tokens_map.json');
    const tokenizer = tokenizerFromFiles({
      ...(model ? { tokenizerModel: model } : tokenizerJson !== undefined ? { tokenizerJson } : {}),
      ...(tokenizerConfig !== undefined ? { tokenizerConfig } : {}),
      ...(specialTokensMap !== undefined ? { specialTokensMap } : {}),
    });
    const weights = [...files.files].filter(([n]) => n.endsWith('.safetensors'));
    const loaded = await loadPretrainedFromFiles({ name: files.name, config, preprocessorConfig: pre, weights }, { backend: 'webgpu', dtype: 'f32', onProgress });
    return new BrowserEve(files.name, loaded, tokenizer, imageProcessor, getConversationTemplate('vicuna_v1'));
  }

  /** Streams the answer to the conversation's last user turn. */
  async *chat(conversation: Conversation, image: PixelImage | null, opts: BrowserGenerateOptions): AsyncGenerator<string> {
    const pre = image ? preprocessImage(image, this.imageProcessor) : null;
    const ids = tokenizerImageToken(this.tokenizer, conversation.toPrompt(this.template, pre !== null));
    const promptTokens = ids.filter((id) => id !== IMAGE_TOKEN_INDEX).length + (pre?.geometry.numImageTokens ?? 0);
    const room = this.loaded.config.maxPositionEmbeddings - promptTokens;
    if (room < 1) throw new Error(`the conversation needs ${promptTokens} positions; the model has ${this.loaded.config.maxPositionEmbeddings}`);
    const stops = this.template.sep2 ? [this.template.sep2] : [];
    const eveImage = pre ? prepareImage(pre.data, pre.shape, this.loaded.processor.patchStride, 'webgpu') : null;
    const decode = (out: readonly number[]) => this.tokenizer.decode(out, { skipSpecialTokens: true });
    const sampling = opts.temperature > 0 ? { temperature: opts.temperature, topP: 1, topK: 50, seed: opts.seed } : { temperature: 0 };
    const out: number[] = [];
    let emitted = '';
    let shownSoFar = '';
    try {
      for await (const step of generate(this.loaded.model, ids, {
        ...sampling,
        images: eveImage ? [eveImage] : [],
        maxNewTokens: Math.min(opts.maxTokens, room),
        decode,
        stopStrings: stops,
        ...(opts.signal ? { signal: opts.signal } : {}),
      })) {
        out.push(step.token);
        let delta = step.text;
        if (step.finishReason) {
          // As EveRuntime: flush a held-back incomplete character at the end.
          let full = decode(out);
          for (const s of stops) {
            const i = full.indexOf(s);
            if (i >= 0) full = full.slice(0, i);
          }
          if (full.startsWith(emitted + delta)) delta = full.slice(emitted.length);
        }
        // As the server's stream: leading whitespace of the answer is dropped.
        const shown = shownSoFar === '' ? delta.trimStart() : delta;
        shownSoFar += shown;
        emitted += delta;
        if (shown !== '') yield shown;
      }
    } finally {
      eveImage?.pixels.dispose();
    }
  }

  dispose(): void {
    this.loaded.model.dispose();
  }
}
