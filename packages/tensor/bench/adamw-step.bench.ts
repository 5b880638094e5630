/**
 * One AdamW step over a model's parameters: the fused `adamwStep` (one pass per parameter on the
 * CPU: WebAssembly SIMD) against the same update composed from elementwise ops (`adamwStepComposed`, eleven ops
 * each allocating its result), which is what the trainer ran before. The parameters have the
 * shapes of the built-in model's language model (models/eve-shapes-tiny: 4 Llama layers of width
 * 256, MLP 688, vocabulary 691) and of a larger one (hidden 512, MLP 1376, 8 layers, vocabulary 32000).
 * Prints a Markdown table; times are medians of repeated steps, both paths in the same process.
 *
 *   pnpm bench adamw
 */
import { adamwStep, adamwStepComposed, mul, noGrad, randn, registerCpuBackend, tidy, type Tensor } from '../src/index.js';

registerCpuBackend();

/** Parameter shapes of a Llama-style model (embeddings, per layer q/k/v/o, gate/up/down and two norms, final norm, head). */
function llamaShapes(hidden: number, mlp: number, layers: number, vocab: number): number[][] {
  const layer = [[hidden, hidden], [hidden, hidden], [hidden, hidden], [hidden, hidden], [mlp, hidden], [mlp, hidden], [hidden, mlp], [hidden], [hidden]];
  return [[vocab, hidden], ...Array.from({ length: layers }, () => layer).flat(), [hidden], [vocab, hidden]];
}

const attrs = { lr: 1e-3, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 1 - 0.9 ** 10, bc2: 1 - 0.999 ** 10 };

function timeStep(shapes: number[][], step: typeof adamwStep, reps: number): number {
  const params = shapes.map((s, i) => ({ p: randn(s, { seed: i }), g: randn(s, { seed: 1000 + i, std: 0.01 }), m: randn(s, { seed: 2000 + i, std: 0.001 }), v: noGrad(() => tidy(() => mul(randn(s, { seed: 3000 + i, std: 0.03 }), randn(s, { seed: 4000 + i, std: 0.03 })))) }));
  const times: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    for (const q of params) {
      const out = noGrad(() => step(q.p, q.g, q.m, q.v, attrs));
      for (const old of [q.p, q.m, q.v]) old.dispose();
      [q.p, q.m, q.v] = [out.param, out.m, out.v];
    }
    if (r > 0) times.push(performance.now() - t0); // the first step fills the host pool
  }
  for (const q of params) for (const t of [q.p, q.g, q.m, q.v] as Tensor[]) t.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const composed: typeof adamwStep = (p, g, m, v, a) => tidy(() => adamwStepComposed(p, g, m, v, a));
console.log('| parameters | composed (ms/step) | adamwStep (ms/step) | speed-up |');
console.log('| --- | --- | --- | --- |');
for (const [name, shapes, reps] of [
  ['eve-shapes-tiny language model', llamaShapes(256, 688, 4, 691), 15],
  ['hidden 512, 8 layers, vocabulary 32000', llamaShapes(512, 1376, 8, 32000), 3],
] as const) {
  const count = (shapes as number[][]).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  const slow = timeStep(shapes as number[][], composed, reps);
  const fast = timeStep(shapes as number[][], adamwStep, reps);
  console.log(`| ${name} (${(count / 1e6).toFixed(1)} M) | ${slow.toFixed(1)} | ${fast.toFixed(1)} | ${(slow / fast).toFixed(2)}× |`);
}
