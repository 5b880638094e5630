/**
 * Autoregressive generation: one prefill over the spliced prompt, then one-token decode steps
 * against the KV cache, as an async iterator of tokens (and decoded text when a `decode`
 * function is given). Each step runs under `noGrad` and `tidy`, so only the cache survives a
 * step; the cache is freed when the iterator finishes, returns early or throws.
 *
 * Stops on an EOS id, a stop string (needs `decode`), `maxNewTokens`, or an aborted signal
 * (the iterator then throws the signal's reason). `useCache: false` recomputes the whole
 * sequence every step — slow, kept as the reference the cached path is tested against.
 */
import { engine, EveError, noGrad, tidy, type Tensor } from '@evejs/tensor';
import { type EveForCausalLM, type EveImage, IMAGE_TOKEN_INDEX } from './eve-for-causal-lm.js';
import { KvCache } from './kv-cache.js';
import { Sampler, type SamplingOptions } from './sampler.js';
import { gridOfCrop, imageTokenCount } from './vision-tokenizer.js';

export interface GenerateOptions extends SamplingOptions {
  /** Images for the `-200` placeholders, in order. */
  images?: readonly EveImage[];
  /** Most tokens to generate (default 256). */
  maxNewTokens?: number;
  /** End-of-sequence id(s) (default: the config's eos_token_id). The EOS token is yielded, then generation stops. */
  eosTokenId?: number | readonly number[];
  /** Stop when the decoded output contains one of these; the stop string is cut from `text`. */
  stopStrings?: readonly string[];
  /** Detokeniser for text deltas and stop strings. */
  decode?: (ids: readonly number[]) => string;
  /** Cancels generation; the iterator throws the signal's reason. */
  signal?: AbortSignal;
  /** Use the KV cache (default true). */
  useCache?: boolean;
  /** Context limit in positions (default: max_position_embeddings). */
  maxLength?: number;
  /**
   * Keeps the KV cache across calls (multi-turn chat): the prompt's longest prefix already in
   * the session's cache is not recomputed. Pass the same images each turn (a cached placeholder
   * stands for the image it was computed with). The session owns the cache; `generate` does not free it.
   */
  session?: GenerationSession;
}

/**
 * The cache of a conversation between `generate` calls: which text-level ids (with `-200` image
 * placeholders) it holds, and where each ends in the spliced sequence.
 */
export class GenerationSession {
  readonly cache: KvCache;
  /** Text-level ids whose keys/values are cached, in order. */
  readonly ids: number[] = [];
  /** Spliced positions covered by ids[0..i] (an image placeholder covers its image tokens). */
  readonly splicedEnd: number[] = [];
  constructor(model: EveForCausalLM, maxLength = model.config.maxPositionEmbeddings) {
    this.cache = new KvCache(model.config.numHiddenLayers, maxLength);
  }
  /** Keeps only the first `n` text-level ids (and their positions). */
  truncate(n: number): void {
    this.ids.length = Math.min(n, this.ids.length);
    this.splicedEnd.length = this.ids.length;
    this.cache.truncate(this.splicedEnd.at(-1) ?? 0);
  }
  /** Records ids just written to the cache; `imageTokens` gives the token count of each placeholder among them, in order. */
  record(ids: readonly number[], imageTokens: readonly number[] = []): void {
    let k = 0;
    for (const id of ids) {
      this.ids.push(id);
      this.splicedEnd.push((this.splicedEnd.at(-1) ?? 0) + (id === IMAGE_TOKEN_INDEX ? imageTokens[k++]! : 1));
    }
  }
  /** Frees the cache; the session starts empty afterwards. */
  dispose(): void {
    this.truncate(0);
    this.cache.dispose();
  }
}

export interface GeneratedToken {
  token: number;
  /** The text this token adds (when `decode` is given); empty while a multi-byte character is incomplete. */
  text: string;
  /** Position of the token in the spliced sequence. */
  position: number;
  /** Why generation ended, on the last step only. */
  finishReason?: 'eos' | 'stop' | 'length';
  /** Milliseconds from the start until this token was chosen. */
  elapsedMs: number;
}

async function lastLogits(logits: Tensor): Promise<Float32Array> {
  try {
    return (await logits.data()) as Float32Array;
  } finally {
    logits.dispose();
  }
}

/** Generates tokens after `inputIds` (which may contain `-200` image placeholders). */
export async function* generate(model: EveForCausalLM, inputIds: readonly number[], opts: GenerateOptions = {}): AsyncGenerator<GeneratedToken> {
  const start = performance.now();
  const maxNew = opts.maxNewTokens ?? 256;
  const eos = new Set(opts.eosTokenId === undefined ? [model.config.eosTokenId] : typeof opts.eosTokenId === 'number' ? [opts.eosTokenId] : opts.eosTokenId);
  const images = opts.images ?? [];
  const sampler = new Sampler(opts);
  const maxLength = opts.maxLength ?? model.config.maxPositionEmbeddings;
  const session = opts.session;
  const useCache = session !== undefined || (opts.useCache ?? true);
  // A cache of this call's own takes its memory up front (kv-cache.ts), so it gets room for this
  // call's positions only, not the whole context limit: the prompt, spliced images and new tokens.
  const ownCapacity = (): number => {
    const imageTokens = images.reduce((n, im) => n + imageTokenCount(gridOfCrop(im.crop, model.processor.convStride)), 0);
    return Math.min(maxLength, inputIds.filter((id) => id !== IMAGE_TOKEN_INDEX).length + imageTokens + maxNew);
  };
  const cache = session ? session.cache : useCache ? new KvCache(model.config.numHiddenLayers, ownCapacity()) : null;
  const seen = inputIds.filter((id) => id !== IMAGE_TOKEN_INDEX);
  const ids = [...inputIds];
  const generated: number[] = [];
  let text = '';
  const backend = engine.backend();
  // false while a forward pass may have written to the cache without the session recording it
  let consistent = true;
  try {
    opts.signal?.throwIfAborted();
    // reuse the longest cached prefix (at least one id is left to prefill: its logits are needed)
    let reused = 0;
    if (session) {
      while (reused < session.ids.length && reused < ids.length - 1 && session.ids[reused] === ids[reused]) reused++;
      session.truncate(reused);
    }
    const rest = ids.slice(reused);
    const restImages = images.slice(ids.slice(0, reused).filter((id) => id === IMAGE_TOKEN_INDEX).length);
    // prefill
    consistent = false;
    const prefill = noGrad(() => tidy(() => model.forward(rest, restImages, { ...(cache ? { cache } : {}), lastOnly: true })));
    for (const t of prefill.imageEmbeds) t.dispose();
    session?.record(rest, prefill.imageGrids.map(imageTokenCount));
    consistent = true;
    let logitsT = prefill.logits;
    // position of the first generated token: text ids + image tokens
    let position = cache ? cache.length : inputIds.filter((id) => id !== IMAGE_TOKEN_INDEX).length + prefill.imageGrids.reduce((n, g) => n + imageTokenCount(g), 0);
    for (let step = 0; step < maxNew; step++) {
      const logits = await lastLogits(logitsT);
      opts.signal?.throwIfAborted();
      const token = sampler.sample(logits, seen);
      generated.push(token);
      seen.push(token);
      ids.push(token);
      let delta = '';
      let finishReason: GeneratedToken['finishReason'];
      if (opts.decode) {
        const full = opts.decode(generated);
        const stop = opts.stopStrings?.map((s) => [s, full.indexOf(s)] as const).find(([, i]) => i >= 0);
        const visible = stop ? full.slice(0, stop[1]) : full.endsWith('\uFFFD') ? text : full;
        delta = visible.startsWith(text) ? visible.slice(text.length) : visible;
        text = visible;
        if (stop) finishReason = 'stop';
      }
      if (eos.has(token)) finishReason = 'eos';
      else if (!finishReason && step === maxNew - 1) finishReason = 'length';
      yield { token, text: delta, position, elapsedMs: performance.now() - start, ...(finishReason ? { finishReason } : {}) };
      if (finishReason) return;
      position++;
      consistent = false;
      logitsT = noGrad(() =>
        tidy(() =>
          cache
            ? model.forwardEmbeds(model.embedInputs([token]).embeds, { cache, lastOnly: true })
            : model.forward(ids, images, { lastOnly: true }).logits,
        ),
      );
      session?.record([token]);
      consistent = true;
      backend.flush?.();
    }
  } finally {
    if (!session) cache?.dispose();
    // a forward pass cut short by an error may have filled some layers only: start over
    else if (!consistent) {
      session.cache.dispose();
      session.truncate(0);
    }
  }
}

/** Runs `generate` to the end and returns the generated ids. */
export async function generateIds(model: EveForCausalLM, inputIds: readonly number[], opts: GenerateOptions = {}): Promise<number[]> {
  const out: number[] = [];
  for await (const step of generate(model, inputIds, opts)) out.push(step.token);
  if (out.length === 0 && (opts.maxNewTokens ?? 256) > 0) throw new EveError('generate produced no tokens');
  return out;
}
