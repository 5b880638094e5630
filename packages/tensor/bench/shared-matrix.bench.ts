/**
 * A linear layer on a batch of short sequences, forward and backward, on the CPU backend: the
 * vision tokenizer's 2×2 window attention applies its kv layer to [cells, 4, C] windows. Compares
 * `matmul` (which folds the batch into the rows, so the weight's gradient is one product) with the
 * same op run per batch (the weight broadcast over the batch, its gradient summed from one full
 * [out, in] product per cell) — what `matmul` did before the fold. Prints a Markdown table.
 *
 *   pnpm bench shared-matrix
 */
import { engine } from '../src/engine.js';
import { matmul, matmulOp } from '../src/ops/matmul.js';
import { sum } from '../src/ops/reduce.js';
import { tensor } from '../src/ops/creation.js';
import { tidy } from '../src/index.js';
import { registerCpuBackend } from '../src/cpu/cpu-backend.js';
import { disposeCpuWorkers } from '../src/cpu/wasm/wasm-matmul.js';
import { Rng } from '../src/rng.js';
import type { Tensor } from '../src/tensor.js';

registerCpuBackend();

const rng = new Rng(7);
const random = (size: number): Float32Array => Float32Array.from({ length: size }, () => rng.uniform() - 0.5);

type Product = (a: Tensor, w: Tensor) => Tensor;
const folded: Product = (a, w) => matmul(a, w, { transposeB: true });
const perBatch: Product = (a, w) => engine.runOp(matmulOp, [a, w], { transposeA: false, transposeB: true })[0]!;

/** Median milliseconds of forward + backward (gradients of both operands) within a time budget. */
async function time(product: Product, cells: number, c: number): Promise<number> {
  const a = tensor(random(cells * 4 * c), [cells, 4, c]);
  const w = tensor(random(2 * c * c), [2 * c, c]);
  a.requiresGrad = true;
  w.requiresGrad = true;
  const runs: number[] = [];
  const until = performance.now() + 3000;
  while (runs.length < 3 || (performance.now() < until && runs.length < 50)) {
    const t0 = performance.now();
    tidy(() => sum(product(a, w)).backward());
    await w.grad!.data();
    runs.push(performance.now() - t0);
    a.grad?.dispose();
    w.grad?.dispose();
    a.grad = null;
    w.grad = null;
  }
  a.dispose();
  w.dispose();
  runs.sort((x, y) => x - y);
  return runs[Math.floor(runs.length / 2)]!;
}

console.log('| windows × C | per batch (ms) | folded (ms) | speed-up |');
console.log('| --- | --- | --- | --- |');
for (const [cells, c] of [
  [48, 128],
  [48, 384],
  [64, 384],
] as const) {
  const before = await time(perBatch, cells, c);
  const after = await time(folded, cells, c);
  console.log(`| ${cells} × ${c} | ${before.toFixed(1)} | ${after.toFixed(1)} | ${(before / after).toFixed(1)}× |`);
}
disposeCpuWorkers();
