/**
 * EVE itself as an {@link Answerer}: the release's evaluation runners (`model_vqa_loader` and
 * friends, EVE-SPEC §8.3) — the question goes into the conversation template's first user turn
 * after `<image>\n`, the image is preprocessed as in training, decoding is greedy, and the output
 * is trimmed and cut at `</s>` (§8.2).
 */
import { readFile } from 'node:fs/promises';
import type { DType } from '@evejs/tensor';
import { type EveRuntime, loadEveRuntime } from '@evejs/model/runtime';
import { renderPrompt } from '@evejs/tokenizer';
import type { AnswerRequest, Answerer } from './answerer.js';

export interface ModelAnswererOptions {
  /** Backend name, registered and initialised by the caller. */
  backend: string;
  dtype?: DType;
  /** Conversation template (default vicuna_v1, as the release's runners). */
  convMode?: string;
  /** Pixel limit for decoding benchmark images (default 40 MP). */
  maxImagePixels?: number;
}

export class ModelAnswerer implements Answerer {
  private constructor(
    readonly runtime: EveRuntime,
    private readonly maxImagePixels: number,
  ) {}

  /** Loads a checkpoint folder (weights, config, tokenizer, image processor). */
  static async load(modelDir: string, opts: ModelAnswererOptions): Promise<ModelAnswerer> {
    const runtime = await loadEveRuntime(modelDir, { backend: opts.backend, ...(opts.dtype ? { dtype: opts.dtype } : {}), convMode: opts.convMode ?? 'vicuna_v1' });
    return new ModelAnswerer(runtime, opts.maxImagePixels ?? 40_000_000);
  }

  get modelId(): string {
    return this.runtime.modelId;
  }

  async answer(req: AnswerRequest): Promise<string> {
    const { template } = this.runtime;
    const [user, assistant] = template.roles;
    const text = req.imagePath ? `<image>\n${req.prompt}` : req.prompt;
    const ids = this.runtime.encodePrompt(renderPrompt(template, [{ role: user, text }, { role: assistant, text: null }]));
    const image = req.imagePath ? await this.runtime.prepareImage(new Uint8Array(await readFile(req.imagePath)), req.imagePath, this.maxImagePixels) : null;
    const stop = template.sep2 ?? '</s>';
    let out = '';
    for await (const step of this.runtime.generate(ids, {
      image,
      maxNewTokens: req.maxNewTokens,
      temperature: 0,
      topP: 1,
      topK: 0,
      seed: 0,
      stopStrings: [stop],
      signal: new AbortController().signal,
    })) {
      out += step.text;
    }
    out = out.trim();
    if (out.endsWith(stop)) out = out.slice(0, -stop.length).trim();
    return out;
  }

  dispose(): void {
    this.runtime.dispose();
  }
}
