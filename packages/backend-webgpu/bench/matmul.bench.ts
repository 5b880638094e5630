/**
 * WebGPU against the CPU backend: square f32 matmuls (256, 512, 1024) and one small Llama-style
 * transformer block, x[64, 256] → rmsNorm → q/k/v Linear → rope → causal softmax attention
 * (4 heads of 64) → o proj → residual → rmsNorm → SiLU MLP (688) → residual. Prints a Markdown
 * table of milliseconds per call and the cpu/webgpu ratio (> 1: WebGPU is faster).
 *
 *   node --conditions=@evejs/source --import tsx packages/backend-webgpu/bench/matmul.bench.ts
 *
 * WebGPU times include the submit and one readback per timed batch: each timing queues `reps`
 * calls, reads the last result, and divides. The first call of each shape (pipeline compilation)
 * is not timed. On lavapipe (the CPU-only Vulkan driver) WebGPU is expected to be slower than the
 * CPU backend; the numbers matter on a real GPU. Without an adapter the bench says why and exits 0.
 */
import { existsSync } from 'node:fs';
import {
  add,
  engine,
  matmul,
  mul,
  permute,
  randn,
  registerCpuBackend,
  reshape,
  rmsNorm,
  rope,
  ropeTables,
  silu,
  softmax,
  tensor,
  tidy,
  where,
  type Tensor,
} from '@evejs/tensor';
import { probeWebGpu, registerWebGpuBackend } from '../src/index.js';

const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';
if (existsSync(LAVAPIPE_ICD)) process.env.VK_DRIVER_FILES ??= LAVAPIPE_ICD;

registerCpuBackend();
registerWebGpuBackend();
const probe = await probeWebGpu();
if (!probe.ok) {
  console.log(`webgpu unavailable, bench skipped: ${probe.reason}`);
  process.exit(0);
}
await engine.initBackend('webgpu');
const BUDGET_MS = 1500;

/** Median ms per call of `fn` on `backend`, timing batches of calls closed by one read. */
async function time(fn: () => Tensor): Promise<number> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const samples: number[] = [];
  const start = performance.now();
  let reps = 1;
  while (performance.now() - start < BUDGET_MS || samples.length < 3) {
    const t0 = performance.now();
    const outs: Tensor[] = [];
    for (let i = 0; i < reps; i++) outs.push(fn());
    await outs[outs.length - 1]!.data();
    for (const o of outs) o.dispose();
    const ms = (performance.now() - t0) / reps;
    samples.push(ms);
    if (ms * reps < 50) reps *= 2;
    if (samples.length >= 30) break;
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

interface Row {
  name: string;
  flop?: number;
  cpu: number;
  gpu: number;
}
const rows: Row[] = [];

for (const s of [256, 512, 1024]) {
  const ms: Record<string, number> = {};
  for (const backend of ['cpu', 'webgpu']) {
    const a = randn([s, s], { seed: 1, backend });
    const b = randn([s, s], { seed: 2, backend });
    ms[backend] = await time(() => matmul(a, b));
    a.dispose();
    b.dispose();
  }
  rows.push({ name: `matmul ${s}³`, flop: 2 * s ** 3, cpu: ms.cpu!, gpu: ms.webgpu! });
}

/** The block's weights and inputs on one backend. */
function blockParams(backend: string) {
  const d = 256;
  const hidden = 688;
  const w = (shape: number[], seed: number) => randn(shape, { seed, std: 1 / Math.sqrt(shape[1]!), backend });
  const { cos, sin } = ropeTables(0, 64, 64);
  const causal = new Uint8Array(64 * 64);
  for (let i = 0; i < 64; i++) for (let j = 0; j <= i; j++) causal[i * 64 + j] = 1;
  return {
    x: randn([64, d], { seed: 10, backend }),
    norm1: tensor(new Float32Array(d).fill(1), [d], { backend }),
    norm2: tensor(new Float32Array(d).fill(1), [d], { backend }),
    wq: w([d, d], 11),
    wk: w([d, d], 12),
    wv: w([d, d], 13),
    wo: w([d, d], 14),
    wGate: w([hidden, d], 15),
    wUp: w([hidden, d], 16),
    wDown: w([d, hidden], 17),
    cos: tensor(cos, [64, 64], { backend }),
    sin: tensor(sin, [64, 64], { backend }),
    mask: tensor(causal, [64, 64], { dtype: 'bool', backend }),
  };
}

function block(p: ReturnType<typeof blockParams>): Tensor {
  return tidy(() => {
    const T = 64;
    const heads = (t: Tensor) => permute(reshape(t, [T, 4, 64]), [1, 0, 2]); // (T, D) → (H, T, hd)
    const h = rmsNorm(p.x, p.norm1);
    const q = rope(heads(matmul(h, p.wq, { transposeB: true })), p.cos, p.sin);
    const k = rope(heads(matmul(h, p.wk, { transposeB: true })), p.cos, p.sin);
    const v = heads(matmul(h, p.wv, { transposeB: true }));
    const scores = where(p.mask, mul(matmul(q, k, { transposeB: true }), 1 / 8), -Infinity); // (H, T, T)
    const attn = reshape(permute(matmul(softmax(scores, -1), v), [1, 0, 2]), [T, 256]); // (T, D)
    const x1 = add(p.x, matmul(attn, p.wo, { transposeB: true }));
    const h2 = rmsNorm(x1, p.norm2);
    const mlp = mul(silu(matmul(h2, p.wGate, { transposeB: true })), matmul(h2, p.wUp, { transposeB: true }));
    return add(x1, matmul(mlp, p.wDown, { transposeB: true }));
  });
}

{
  const ms: Record<string, number> = {};
  for (const backend of ['cpu', 'webgpu']) {
    const p = blockParams(backend);
    ms[backend] = await time(() => block(p));
    for (const t of Object.values(p)) t.dispose();
  }
  rows.push({ name: 'transformer block x[64, 256]', cpu: ms.cpu!, gpu: ms.webgpu! });
}

const info = engine.backend('webgpu').info();
console.log(`webgpu adapter: ${info.device}\n`);
console.log('| case | cpu ms | webgpu ms | cpu/webgpu | webgpu GFLOP/s |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const gflops = r.flop ? (r.flop / (r.gpu * 1e6)).toFixed(1) : '–';
  console.log(`| ${r.name} | ${r.cpu.toFixed(2)} | ${r.gpu.toFixed(2)} | ${(r.cpu / r.gpu).toFixed(2)} | ${gflops} |`);
}
engine.removeBackend('webgpu');
