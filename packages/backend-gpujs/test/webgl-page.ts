/**
 * Runs in headless Chromium (bundled by webgl.test.ts): the gpu.js kernels on WebGL2 against the
 * evejs CPU backend, on odd shapes and strided views, plus an MLP's backward. Publishes
 * `window.__result` = { mode, cases: [{ name, maxAbs, maxRel }] } or { error }.
 */
import {
  add, engine, layerNorm, logSoftmax, matmul, max, mul, permute, randn, registerCpuBackend, rmsNorm, silu, slice, softmax, sum,
  tanh, gelu, tensor, tidy, type Tensor,
} from '@evejs/tensor';
import { registerGpujsBackend } from '../src/index.js';

type Case = { name: string; run: (on: (t: Tensor) => Tensor) => Tensor };

const cases: Case[] = [
  { name: 'matmul [37,19]×[19,23]', run: (on) => matmul(on(randn([37, 19], { seed: 1 })), on(randn([19, 23], { seed: 2 }))) },
  { name: 'matmul transposeB, broadcast batch [2,1,5,7]×[3,9,7]ᵀ', run: (on) => matmul(on(randn([2, 1, 5, 7], { seed: 3 })), on(randn([3, 9, 7], { seed: 4 })), { transposeB: true }) },
  { name: 'matmul transposeA [13,6]ᵀ×[13,11]', run: (on) => matmul(on(randn([13, 6], { seed: 5 })), on(randn([13, 11], { seed: 6 })), { transposeA: true }) },
  { name: 'matmul 128³', run: (on) => matmul(on(randn([128, 128], { seed: 7 })), on(randn([128, 128], { seed: 8 }))) },
  { name: 'add broadcast + transposed view', run: (on) => add(permute(on(randn([5, 7, 3], { seed: 9 })), [2, 0, 1]), on(randn([1, 7], { seed: 10 }))) },
  { name: 'mul sliced views', run: (on) => mul(slice(on(randn([9, 11], { seed: 11 })), [1, 2], [5, 6]), slice(on(randn([6, 8], { seed: 12 })), [0, 1], [5, 6])) },
  { name: 'gelu, silu, tanh', run: (on) => add(add(gelu(on(randn([333], { seed: 13 }))), silu(on(randn([333], { seed: 14 })))), tanh(on(randn([333], { seed: 15, std: 3 })))) },
  { name: 'sum axes [0,2] of [3,5,7]', run: (on) => sum(on(randn([3, 5, 7], { seed: 16 })), [0, 2]) },
  { name: 'max axis 1 of [4,33,3]', run: (on) => max(on(randn([4, 33, 3], { seed: 17 })), 1) },
  { name: 'softmax axis 1 of [3,17,5]', run: (on) => softmax(on(randn([3, 17, 5], { seed: 18, std: 4 })), 1) },
  { name: 'logSoftmax last of [7,1000]', run: (on) => logSoftmax(on(randn([7, 1000], { seed: 19, std: 4 })), -1) },
  { name: 'layerNorm [6,45]', run: (on) => layerNorm(on(randn([6, 45], { seed: 20, mean: 2 })), on(randn([45], { seed: 21 })), on(randn([45], { seed: 22 }))) },
  { name: 'rmsNorm [6,45]', run: (on) => rmsNorm(on(randn([6, 45], { seed: 23 })), on(randn([45], { seed: 24 }))) },
];

function compare(name: string, got: Float32Array, want: Float32Array) {
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
    maxRel = Math.max(maxRel, d / Math.max(Math.abs(want[i]!), 1e-3));
  }
  return { name, maxAbs, maxRel, length: got.length === want.length };
}

async function main() {
  registerCpuBackend();
  registerGpujsBackend();
  const gpujs = await engine.initBackend('gpujs');
  const mode = String(gpujs.info().details?.mode);
  const results = [];
  const onCpu = (t: Tensor) => t;
  const onGpu = (t: Tensor) => tensor(t.dataSync() as Float32Array, t.shape, { backend: 'gpujs' });
  for (const c of cases) {
    const want = tidy(() => c.run(onCpu).dataSync() as Float32Array);
    const got = tidy(() => c.run(onGpu).dataSync() as Float32Array);
    results.push(compare(c.name, got, want));
  }
  // An MLP's gradients (forward through gpu.js kernels, backward composed of them).
  const grads = (on: (t: Tensor) => Tensor) => {
    const x = on(randn([5, 13], { seed: 30 }));
    const w1 = on(randn([21, 13], { seed: 31, std: 0.3 }));
    const w2 = on(randn([7, 21], { seed: 32, std: 0.3 }));
    w1.requiresGrad = true;
    w2.requiresGrad = true;
    const r = on(randn([5, 7], { seed: 33 }));
    const loss = tidy(() => sum(mul(softmax(matmul(gelu(matmul(x, w1, { transposeB: true })), w2, { transposeB: true }), -1), r)));
    loss.backward();
    const out = new Float32Array([...(w1.grad!.dataSync() as Float32Array), ...(w2.grad!.dataSync() as Float32Array)]);
    for (const t of [x, r, w1, w2, loss, w1.grad!, w2.grad!]) t.dispose();
    return out;
  };
  results.push(compare('MLP backward (dW1, dW2)', grads(onGpu), grads(onCpu)));
  return { mode, device: gpujs.info().device, cases: results };
}

main().then(
  (r) => ((window as unknown as { __result: unknown }).__result = r),
  (e) => ((window as unknown as { __result: unknown }).__result = { error: String(e?.stack ?? e) }),
);
