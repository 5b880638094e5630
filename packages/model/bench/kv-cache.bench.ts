/**
 * Decode speed at a long context: the preallocated KV cache (`KvCache`: buffers written in place
 * with writeSlice, attention reading prefix views) against the cache it replaced, which grew each
 * layer's keys/values by `concat` and so copied the whole history on every token. Both run in the
 * same process on the same model, alternating, and must produce the same greedy tokens. CPU only.
 *
 *   pnpm bench kv-cache   (BENCH_PROMPT, BENCH_NEW, BENCH_ROUNDS to change the sizes)
 *
 * `ConcatKvCache` below is the old implementation, kept here only as the baseline.
 */
import os from 'node:os';
import { argmax, concat, contiguous, keep, noGrad, registerCpuBackend, setBackend, sliceAxis, type Tensor, tidy } from '@evejs/tensor';
import { EveForCausalLM, KvCache, parseEveConfig, parseVisionProcessorConfig } from '../src/index.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const PROMPT = env('BENCH_PROMPT', 512);
const NEW = env('BENCH_NEW', 64);
const ROUNDS = env('BENCH_ROUNDS', 2);
const SIZES = { hidden_size: 512, intermediate_size: 1376, num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 4, vocab_size: 8000 };

/** The KV cache before this bench's change: storage grown by concat every step (baseline only). */
class ConcatKvCache extends KvCache {
  readonly #keys: (Tensor | null)[];
  readonly #values: (Tensor | null)[];
  #length = 0;
  constructor(numLayers: number, maxLength: number) {
    super(numLayers, maxLength);
    this.#keys = new Array<Tensor | null>(numLayers).fill(null);
    this.#values = new Array<Tensor | null>(numLayers).fill(null);
  }
  override get length(): number {
    return this.#length;
  }
  override reserve(n: number): void {
    if (this.#length + n > this.maxLength) throw new Error('context full');
  }
  override append(layer: number, k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    const oldK = this.#keys[layer] ?? null;
    const oldV = this.#values[layer] ?? null;
    const fullK = keep(oldK ? concat([oldK, k], 2) : k);
    const fullV = keep(oldV ? concat([oldV, v], 2) : v);
    oldK?.dispose();
    oldV?.dispose();
    this.#keys[layer] = fullK;
    this.#values[layer] = fullV;
    if (layer === this.numLayers - 1) this.#length = fullK.shape[2]!;
    return { k: fullK, v: fullV };
  }
  override truncate(length: number): void {
    for (const list of [this.#keys, this.#values]) {
      list.forEach((old, i) => {
        if (!old || length >= this.#length) return;
        list[i] = keep(tidy(() => contiguous(sliceAxis(old, 2, 0, length))));
        old.dispose();
      });
    }
    this.#length = Math.min(length, this.#length);
  }
  override dispose(): void {
    for (const list of [this.#keys, this.#values]) list.forEach((t, i) => (t?.dispose(), (list[i] = null)));
    this.#length = 0;
  }
}

const config = parseEveConfig({ ...SIZES, rms_norm_eps: 1e-5, max_position_embeddings: 2048, mm_hidden_size: 64, mm_projector_type: 'mlp2x_gelu' });
const prompt = Array.from({ length: PROMPT }, (_, i) => 1 + ((i * 7919) % (SIZES.vocab_size - 1)));

async function greedy(logits: Tensor): Promise<number> {
  const id = tidy(() => argmax(logits, -1));
  logits.dispose();
  const [token] = await id.data();
  id.dispose();
  return token!;
}

/** Prefill, then NEW greedy decode steps; decode tokens/s and the tokens. */
async function decode(model: EveForCausalLM, cache: KvCache): Promise<{ tps: number; tokens: number[] }> {
  let token = await greedy(noGrad(() => tidy(() => model.forward(prompt, [], { cache, lastOnly: true }).logits)));
  const tokens = [token];
  const t0 = performance.now();
  for (let i = 0; i < NEW; i++) {
    token = await greedy(noGrad(() => tidy(() => model.forwardEmbeds(model.embedInputs([token]).embeds, { cache, lastOnly: true }))));
    tokens.push(token);
  }
  const seconds = (performance.now() - t0) / 1000;
  cache.dispose();
  return { tps: NEW / seconds, tokens };
}

registerCpuBackend();
await setBackend('cpu');
const model = new EveForCausalLM(config, parseVisionProcessorConfig({})).initParameters({ seed: 1, std: 0.05, dtype: 'f32', backend: 'cpu' });
const maxLength = PROMPT + NEW + 1;
console.log(
  `Llama-shaped model: hidden ${SIZES.hidden_size}, ${SIZES.num_hidden_layers} layers, ${SIZES.num_attention_heads} heads ` +
    `(${SIZES.num_key_value_heads} KV heads), f32; prompt ${PROMPT} positions, ${NEW} decoded, cache capacity ${maxLength}; ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg()[0]!.toFixed(1)}\n`,
);
await decode(model, new KvCache(config.numHiddenLayers, maxLength)); // warm-up: workers, pools, JIT
console.log('| round | decode tokens/s, concat cache (before) | decode tokens/s, preallocated cache | ratio |');
console.log('| --- | ---: | ---: | ---: |');
const ratios: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  // Alternate which goes first so drift in the machine's load does not favour one.
  const order = round % 2 ? (['old', 'new'] as const) : (['new', 'old'] as const);
  const res: Record<string, { tps: number; tokens: number[] }> = {};
  for (const which of order) {
    res[which] = await decode(model, which === 'old' ? new ConcatKvCache(config.numHiddenLayers, maxLength) : new KvCache(config.numHiddenLayers, maxLength));
  }
  if (res['old']!.tokens.join() !== res['new']!.tokens.join()) throw new Error('the two caches generated different tokens');
  const ratio = res['new']!.tps / res['old']!.tps;
  ratios.push(ratio);
  console.log(`| ${round} | ${res['old']!.tps.toFixed(1)} | ${res['new']!.tps.toFixed(1)} | ${ratio.toFixed(2)}× |`);
}
ratios.sort((a, b) => a - b);
const mid = ratios.length / 2;
const median = ratios.length % 2 ? ratios[Math.floor(mid)]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
console.log(`\nmedian ratio ${median.toFixed(2)}× (same greedy tokens in every round)`);
model.dispose();
process.exit(0);
