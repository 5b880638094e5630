/**
 * Generation speed of a small Llama-shaped EVE (text only; random weights): time to first token
 * for a 128-token prompt and decode tokens/s, per backend and weight dtype, with the uncached
 * decode (whole sequence recomputed per token) as the in-run baseline the KV cache is measured
 * against, and f32 weights as the baseline of bf16 and the block-quantised q8_0 / q4_0 rows.
 * Prints a Markdown table.
 *
 *   pnpm bench generate   (or: node --conditions=@evejs/source --import tsx packages/model/bench/generate.bench.ts)
 *
 * Backends: cpu always; webgpu when @evejs/backend-webgpu loads and finds an adapter.
 */
import os from 'node:os';
import { engine, isQuantFormat, registerCpuBackend, setBackend } from '@evejs/tensor';
import { EveForCausalLM, generate, parseEveConfig, parseVisionProcessorConfig, quantizeModel, type WeightDType } from '../src/index.js';
import { backendUnavailable } from '../test/backends.js';

const SIZES = { hidden_size: 512, intermediate_size: 1376, num_hidden_layers: 8, num_attention_heads: 8, vocab_size: 8000 };
const PROMPT = 128;
const DECODE = 32;

const config = parseEveConfig({ ...SIZES, rms_norm_eps: 1e-5, max_position_embeddings: 2048, mm_hidden_size: 64, mm_projector_type: 'mlp2x_gelu' });
const processor = parseVisionProcessorConfig({});
const prompt = Array.from({ length: PROMPT }, (_, i) => 1 + ((i * 7919) % (SIZES.vocab_size - 1)));

async function run(model: EveForCausalLM, useCache: boolean, maxNewTokens: number): Promise<{ ttftMs: number; decodeTps: number }> {
  const times: number[] = [];
  for await (const step of generate(model, prompt, { maxNewTokens, eosTokenId: [], useCache })) times.push(step.elapsedMs);
  const ttftMs = times[0]!;
  const decodeTps = (times.length - 1) / ((times.at(-1)! - ttftMs) / 1000);
  return { ttftMs, decodeTps };
}

registerCpuBackend();
console.log(
  `Llama-shaped model: hidden ${SIZES.hidden_size}, ${SIZES.num_hidden_layers} layers, ${SIZES.num_attention_heads} heads, ` +
    `MLP ${SIZES.intermediate_size}, vocab ${SIZES.vocab_size}; prompt ${PROMPT} tokens, ${DECODE} decoded; ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})\n`,
);
console.log('| backend | weights | time to first token (ms) | decode tokens/s (KV cache) | decode tokens/s (no cache, baseline) |');
console.log('| --- | --- | --- | --- | --- |');
// rows are printed as they finish: a slow backend (a software WebGPU adapter) still shows the others
const rows = { push: (row: string) => console.log(row) };
for (const backend of ['cpu', 'webgpu'] as const) {
  let reason = await backendUnavailable(backend);
  const device = reason ? '' : engine.backend(backend).info().device;
  // a software adapter (lavapipe, SwiftShader) takes many minutes here; opt in with EVE_BENCH_SOFTWARE_GPU=1
  if (!reason && backend !== 'cpu' && /llvmpipe|lavapipe|swiftshader/i.test(device) && !process.env['EVE_BENCH_SOFTWARE_GPU']) {
    reason = `software adapter (${device}); set EVE_BENCH_SOFTWARE_GPU=1 to time it`;
  }
  if (reason) {
    rows.push(`| ${backend} | – | skipped: ${reason} | | |`);
    continue;
  }
  await setBackend(backend);
  for (const dtype of ['f32', 'bf16', 'q8_0', 'q4_0'] as WeightDType[]) {
    const model = new EveForCausalLM(config, processor).initParameters({ seed: 1, std: 0.05, dtype: isQuantFormat(dtype) ? 'f32' : dtype, backend });
    if (isQuantFormat(dtype)) await quantizeModel(model, dtype);
    await run(model, true, 4); // warm-up: kernels, workers, pipelines
    const cached = await run(model, true, DECODE);
    const uncached = await run(model, false, 6);
    rows.push(
      `| ${backend} | ${dtype} | ${cached.ttftMs.toFixed(0)} | ${cached.decodeTps.toFixed(1)} | ${uncached.decodeTps.toFixed(2)} |`,
    );
    model.dispose();
  }
}
for (const name of engine.registeredBackends()) engine.backend(name).dispose?.();
process.exit(0);
