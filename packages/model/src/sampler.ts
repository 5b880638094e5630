/**
 * Choosing the next token from last-position logits, on the host, in Hugging Face's order:
 * repetition penalty, temperature, top-k, top-p, softmax, multinomial draw from a seeded
 * generator. Temperature 0 (the default) is greedy: argmax, first index on ties.
 */
import { EveError, Rng } from '@evejs/tensor';

export interface SamplingOptions {
  /** 0 (default) = greedy; otherwise logits are divided by it before sampling. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Nucleus: keep the smallest set of most likely tokens whose probability reaches p (1: all). */
  topP?: number;
  /** HF repetition penalty over every token seen (prompt and output): > 1 discourages repeats. */
  repetitionPenalty?: number;
  /** Seed of the sampling generator (default 0). */
  seed?: number;
}

export class Sampler {
  readonly #rng: Rng;
  constructor(readonly options: SamplingOptions = {}) {
    const { temperature = 0, topK = 0, topP = 1, repetitionPenalty = 1 } = options;
    if (!(temperature >= 0)) throw new EveError(`temperature must be ≥ 0, got ${temperature}`);
    if (!(topP > 0 && topP <= 1)) throw new EveError(`top-p must be in (0, 1], got ${topP}`);
    if (!(topK >= 0) || !Number.isInteger(topK)) throw new EveError(`top-k must be a whole number ≥ 0, got ${topK}`);
    if (!(repetitionPenalty > 0)) throw new EveError(`repetition penalty must be > 0, got ${repetitionPenalty}`);
    this.#rng = new Rng(options.seed ?? 0);
  }

  /** Picks a token. `logits` is modified in place; `seen` are the ids the penalty applies to. */
  sample(logits: Float32Array, seen: Iterable<number> = []): number {
    const { temperature = 0, topK = 0, topP = 1, repetitionPenalty = 1 } = this.options;
    if (repetitionPenalty !== 1) {
      for (const id of new Set(seen)) {
        if (id < 0 || id >= logits.length) continue;
        const l = logits[id]!;
        logits[id] = l < 0 ? l * repetitionPenalty : l / repetitionPenalty;
      }
    }
    if (temperature === 0) return argmax(logits);
    const n = logits.length;
    let order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
    if (topK > 0 && topK < n) order = order.slice(0, topK);
    const maxLogit = logits[order[0]!]!;
    let probs = order.map((i) => Math.exp((logits[i]! - maxLogit) / temperature));
    let total = probs.reduce((a, b) => a + b, 0);
    if (topP < 1) {
      let cum = 0;
      let keep = 0;
      while (keep < probs.length && cum < topP * total) cum += probs[keep++]!;
      order = order.slice(0, Math.max(1, keep));
      probs = probs.slice(0, order.length);
      total = probs.reduce((a, b) => a + b, 0);
    }
    let r = this.#rng.uniform() * total;
    for (let i = 0; i < order.length; i++) {
      r -= probs[i]!;
      if (r < 0) return order[i]!;
    }
    return order[order.length - 1]!;
  }
}

/** Index of the largest value (first on ties). */
export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
