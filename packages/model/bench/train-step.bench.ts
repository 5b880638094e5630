/**
 * CPU step time of a small EVE (random weights), the workload the trainer and the demo run:
 *
 *  (a) a training step: forward over one image + ~37 text tokens (~110 positions), cross-entropy
 *      on the text targets plus the aligning layer's cosine loss against a fixed teacher target,
 *      backward, and an AdamW update (the same ops as @evejs/trainer's AdamW);
 *  (b) greedy generation: prefill of the same ~110-token sequence, then 10 decode steps with the
 *      KV cache.
 *
 *   node --conditions=@evejs/source --import tsx packages/model/bench/train-step.bench.ts
 *
 * Environment: BENCH_HIDDEN (default 192), BENCH_STEPS (training steps timed, default 8),
 * BENCH_WARMUP (default 2), BENCH_ONLY=train|generate, BENCH_JSON=1 for one JSON line at the end,
 * BENCH_OPS=1 for a table of time per op (kernel and dispatch, per timed training step),
 * BENCH_OPS=shapes for the same per op, input shapes and attributes.
 * Times are medians. The machine this runs on is usually shared: compare runs made back to back
 * (see docs/PERFORMANCE.md) and report ratios.
 */
import os from 'node:os';
import {
  add,
  crossEntropy,
  div,
  disposeCpuWorkers,
  engine,
  keep,
  mul,
  noGrad,
  randn,
  registerCpuBackend,
  setBackend,
  sqrt,
  sub,
  tensor,
  tidy,
  assign,
  zeros,
  type Tensor,
} from '@evejs/tensor';
import { EveForCausalLM, generate, IMAGE_TOKEN_INDEX, parseEveConfig, parseVisionProcessorConfig, prepareImage, VisionCompressor } from '../src/index.js';

const HIDDEN = Number(process.env.BENCH_HIDDEN ?? 192);
const STEPS = Number(process.env.BENCH_STEPS ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const ONLY = process.env.BENCH_ONLY ?? '';
const MM_HIDDEN = HIDDEN >= 192 ? 128 : 64;
const CLIP = 64;
const IMAGE = 224;
const TEXT_BEFORE = 5;
const TEXT_AFTER = 32;
const DECODE = 10;

registerCpuBackend();
await setBackend('cpu');

// Per-op accounting (BENCH_OPS=1): wraps engine.runOp; nested ops count in their own row only.
const opStats = new Map<string, { ms: number; calls: number }>();
let opTiming = false;
if (process.env.BENCH_OPS) {
  const inner = engine.runOp.bind(engine);
  let childMs = 0;
  engine.runOp = ((op: { name: string }, inputs: never, attrs: never) => {
    if (!opTiming) return inner(op as never, inputs, attrs);
    const t0 = performance.now();
    const savedChild = childMs;
    childMs = 0;
    try {
      return inner(op as never, inputs, attrs);
    } finally {
      const dt = performance.now() - t0;
      const key = process.env.BENCH_OPS === 'shapes' ? `${op.name} ${(inputs as { shape: number[] }[]).map((t) => `[${t.shape}]`).join(' ')} ${JSON.stringify(attrs)}` : op.name;
      const st = opStats.get(key) ?? { ms: 0, calls: 0 };
      st.ms += dt - childMs;
      st.calls++;
      opStats.set(key, st);
      childMs = savedChild + dt;
    }
  }) as typeof engine.runOp;
}

const config = parseEveConfig({
  hidden_size: HIDDEN,
  intermediate_size: Math.round((HIDDEN * 2.75) / 8) * 8,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  vocab_size: 512,
  rms_norm_eps: 1e-5,
  max_position_embeddings: 512,
  mm_hidden_size: MM_HIDDEN,
  mm_projector_type: 'mlp2x_gelu',
});
// 224-pixel canvas, patch 14 → 16×16 patches → 8×8 pooled tokens; teacher 112/14 = 8×8 patches.
const processor = parseVisionProcessorConfig({ image_size: IMAGE, image_size_clip: 112, patch_stride: 14, conv_stride: 2, patch_stride_clip: 14 });
const model = new EveForCausalLM(config, processor).initParameters({ seed: 1, std: 0.05 });
const compressor = new VisionCompressor(config.hiddenSize, config.numHiddenLayers, CLIP, processor).initParameters({ seed: 2, std: 0.05 });
model.setRequiresGrad(true).train();
compressor.setRequiresGrad(true).train();

function hash(i: number): number {
  let h = Math.imul(i + 1, 2654435761) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

// Pixels [4, H, W]: three colour planes and an all-ones mask.
const pixelData = new Float32Array(4 * IMAGE * IMAGE);
for (let i = 0; i < 3 * IMAGE * IMAGE; i++) pixelData[i] = (hash(i) % 2000) / 1000 - 1;
pixelData.fill(1, 3 * IMAGE * IMAGE);
const image = prepareImage(pixelData, [4, IMAGE, IMAGE], 14);
const textIds = Array.from({ length: TEXT_BEFORE + TEXT_AFTER }, (_, i) => 3 + (hash(1000 + i) % (config.vocabSize - 3)));
const inputIds = [...textIds.slice(0, TEXT_BEFORE), IMAGE_TOKEN_INDEX, ...textIds.slice(TEXT_BEFORE)];
const imageTokens = 1 + 8 * 9;
const seqLen = TEXT_BEFORE + imageTokens + TEXT_AFTER;
// Targets: the next text token after the image; -100 on the prompt and the image.
const labels = new Int32Array(seqLen).fill(-100);
for (let i = TEXT_BEFORE + imageTokens; i < seqLen - 1; i++) labels[i] = inputIds[i - imageTokens + 2]!;
const targets = keep(tensor(labels, [1, seqLen]));
const teacher = keep(randn([64, CLIP], { seed: 7 }));
const validPatches = Array.from({ length: 64 }, (_, i) => i);

// AdamW exactly as @evejs/trainer's (same op sequence), kept here so the bench stands alone.
const params: Tensor[] = [...model.trainableParameters(), ...compressor.trainableParameters()].map(([, t]) => t);
const moments = params.map((p) => ({ m: keep(zeros(p.shape)), v: keep(zeros(p.shape)) }));
let stepCount = 0;
function adamw(lr = 1e-4, wd = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8): void {
  stepCount++;
  const bc1 = 1 - b1 ** stepCount;
  const bc2 = 1 - b2 ** stepCount;
  noGrad(() => {
    params.forEach((p, i) => {
      const grad = p.grad;
      if (!grad) return;
      const mom = moments[i]!;
      tidy(() => {
        const decayed = mul(p, 1 - lr * wd);
        const m = add(mul(mom.m, b1), mul(grad, 1 - b1));
        const v = add(mul(mom.v, b2), mul(mul(grad, grad), 1 - b2));
        const denom = add(div(sqrt(v), Math.sqrt(bc2)), eps);
        const next = sub(decayed, mul(div(m, denom), lr / bc1));
        assign(mom.m, m);
        assign(mom.v, v);
        assign(p, next);
      });
      grad.dispose();
      p.grad = null;
    });
  });
}

interface StepTimes {
  forward: number;
  backward: number;
  optimizer: number;
  total: number;
  /** CPU time of the whole process (all threads) over the step: steadier than wall time on a busy machine. */
  cpu: number;
  loss: number;
}

function trainStep(): StepTimes {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let loss!: Tensor;
  tidy(() => {
    const states: Tensor[] = [];
    const r = model.forward(inputIds, [image], { hiddenStates: states });
    const ce = crossEntropy(r.logits, targets);
    const pred = compressor.predict(states, TEXT_BEFORE, r.imageGrids[0]!);
    const align = compressor.loss(pred, teacher, validPatches);
    loss = keep(add(ce, align));
  });
  const t1 = performance.now();
  loss.backward();
  const t2 = performance.now();
  adamw();
  const t3 = performance.now();
  const c = process.cpuUsage(c0);
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return { forward: t1 - t0, backward: t2 - t1, optimizer: t3 - t2, total: t3 - t0, cpu: (c.user + c.system) / 1000, loss: value };
}

async function generateOnce(): Promise<{ prefillMs: number; decodeMsPerToken: number; decodeCpuMsPerToken: number; tokens: number[] }> {
  const times: number[] = [];
  const tokens: number[] = [];
  let c0 = process.cpuUsage();
  for await (const s of generate(model, inputIds, { images: [image], maxNewTokens: DECODE + 1, eosTokenId: [] })) {
    times.push(s.elapsedMs);
    tokens.push(s.token);
    if (times.length === 1) {
      c0 = process.cpuUsage();
      opTiming = timeDecodeOps;
    }
  }
  opTiming = false;
  const c = process.cpuUsage(c0);
  return { prefillMs: times[0]!, decodeMsPerToken: (times.at(-1)! - times[0]!) / DECODE, decodeCpuMsPerToken: (c.user + c.system) / 1000 / DECODE, tokens };
}

let timeDecodeOps = false;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const result: Record<string, unknown> = { hidden: HIDDEN, seqLen, params: model.numParameters() + compressor.numParameters() };
console.log(
  `EVE: hidden ${HIDDEN}, 4 layers, 4 heads, MLP ${config.intermediateSize}, vocab 512, mm ${MM_HIDDEN}, ` +
    `image ${IMAGE} → 8×8 tokens, ${seqLen} positions, ${result.params} params; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
);

if (ONLY !== 'generate') {
  const runs: StepTimes[] = [];
  for (let i = 0; i < WARMUP + STEPS; i++) {
    opTiming = i >= WARMUP;
    const s = trainStep();
    if (i >= WARMUP) runs.push(s);
  }
  const pick = (k: keyof StepTimes) => median(runs.map((r) => r[k]));
  Object.assign(result, { stepMs: pick('total'), stepCpuMs: pick('cpu'), forwardMs: pick('forward'), backwardMs: pick('backward'), optimizerMs: pick('optimizer'), lastLoss: runs.at(-1)!.loss });
  console.log(
    `train step: ${pick('total').toFixed(1)} ms, cpu ${pick('cpu').toFixed(1)} ms (forward ${pick('forward').toFixed(1)}, backward ${pick('backward').toFixed(1)}, ` +
      `AdamW ${pick('optimizer').toFixed(1)}); loss ${runs[0]!.loss.toFixed(4)} → ${runs.at(-1)!.loss.toFixed(4)}`,
  );
}

opTiming = false;
function printOpStats(what: string, per: number): void {
  if (!opStats.size) return;
  const total = [...opStats.values()].reduce((a, b) => a + b.ms, 0);
  console.log(`| op | ms/${what} | calls/${what} | % |\n| --- | --- | --- | --- |`);
  for (const [name, st] of [...opStats].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`| ${name} | ${(st.ms / per).toFixed(3)} | ${st.calls / per} | ${((100 * st.ms) / total).toFixed(1)} |`);
  }
  opStats.clear();
}
printOpStats('step', STEPS);

if (ONLY !== 'train') {
  model.eval();
  await generateOnce(); // warm-up
  const gens = [];
  const runs = Math.max(3, Math.ceil(STEPS / 2));
  for (let i = 0; i < runs; i++) gens.push(await generateOnce());
  timeDecodeOps = true;
  await generateOnce();
  timeDecodeOps = false;
  printOpStats('token', DECODE);
  const prefillMs = median(gens.map((g) => g.prefillMs));
  const decodeMs = median(gens.map((g) => g.decodeMsPerToken));
  const decodeCpuMs = median(gens.map((g) => g.decodeCpuMsPerToken));
  Object.assign(result, { prefillMs, decodeMsPerToken: decodeMs, decodeCpuMsPerToken: decodeCpuMs, tokens: gens[0]!.tokens.join(',') });
  console.log(`generate: prefill ${prefillMs.toFixed(1)} ms, decode ${decodeMs.toFixed(2)} ms/token, cpu ${decodeCpuMs.toFixed(2)} ms/token (${DECODE} tokens, KV cache)`);
}

if (process.env.BENCH_JSON) console.log(JSON.stringify(result));
await disposeCpuWorkers();
