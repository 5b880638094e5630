/**
 * CPU matmul throughput: the CPU backend's kernel (WASM SIMD over worker threads) against the
 * naive TypeScript reference and numpy/OpenBLAS (when `/usr/bin/python3 -c 'import numpy'`
 * works), square f32 products at 256–2048, then EVE's shapes: the decode matvec
 * [1, 4096]×[4096, 4096]ᵀ (f32 and f16 weights), a prefill Linear [128, 4096]×[11008, 4096]ᵀ and
 * attention scores [32, 256, 128]×[32, 256, 128]ᵀ. Prints Markdown tables.
 *
 *   pnpm bench matmul     (or: node --conditions=@evejs/source --import tsx packages/tensor/bench/matmul.bench.ts)
 *
 * Times are the median of repeated runs within a time budget, operands already in CPU storage
 * (so the per-call staging into WASM memory is included, as in real use). numpy is timed by a
 * python child with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in that child only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { convertHostArray, type DType } from '../src/dtype.js';
import type { TensorView } from '../src/kernel-registry.js';
import type { MatmulAttrs } from '../src/ops/matmul.js';
import { matmulCpu, matmulNaive } from '../src/cpu/kernels/matmul.js';
import { cpuThreadCount, disposeCpuWorkers } from '../src/cpu/wasm/wasm-matmul.js';

interface Case {
  name: string;
  a: number[];
  b: number[];
  attrs: MatmulAttrs;
  bDtype?: DType;
  /** How to time the naive kernel: repeated, one pass, or not at all (too slow). */
  naive: 'repeat' | 'once' | 'skip';
}

const NN = { transposeA: false, transposeB: false };
const NT = { transposeA: false, transposeB: true };
const SQUARE: Case[] = [256, 512, 1024, 2048].map((s) => ({
  name: `${s}³`,
  a: [s, s],
  b: [s, s],
  attrs: NN,
  naive: s <= 512 ? 'repeat' : s === 1024 ? 'once' : 'skip',
}));
const EVE: Case[] = [
  { name: 'decode matvec [1,4096]×[4096,4096]ᵀ f32', a: [1, 4096], b: [4096, 4096], attrs: NT, naive: 'once' },
  { name: 'decode matvec [1,4096]×[4096,4096]ᵀ f16 W', a: [1, 4096], b: [4096, 4096], attrs: NT, bDtype: 'f16', naive: 'skip' },
  { name: 'prefill Linear [128,4096]×[11008,4096]ᵀ', a: [128, 4096], b: [11008, 4096], attrs: NT, naive: 'skip' },
  { name: 'attention [32,256,128]×[32,256,128]ᵀ', a: [32, 256, 128], b: [32, 256, 128], attrs: NT, naive: 'once' },
];

const flops = (c: Case): number => {
  const m = c.a.at(-2)!;
  const k = c.a.at(-1)!;
  const n = c.attrs.transposeB ? c.b.at(-2)! : c.b.at(-1)!;
  return 2 * m * k * n * c.a.slice(0, -2).reduce((x, y) => x * y, 1);
};

let seed = 42;
function random(size: number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    x[i] = seed / 2 ** 31 - 1;
  }
  return x;
}

function view(shape: number[], dtype: DType = 'f32'): TensorView {
  const data = random(shape.reduce((x, y) => x * y, 1));
  return { storage: dtype === 'f32' ? data : convertHostArray(data, 'f32', dtype), dtype, shape, strides: [], offset: 0 };
}

/** Median seconds per call: one warm-up, then runs until `budgetMs` (at least 3, at most 50). */
function timeMedian(fn: () => unknown, budgetMs: number): number {
  fn();
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < 3 || (performance.now() - t0 < budgetMs && times.length < 50)) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  return times[times.length >> 1]! / 1000;
}

function timeOnce(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

/** numpy seconds per case (median), or null when numpy is not importable. */
function numpyTimes(cases: Case[]): (number | null)[] | null {
  const script = `
import json, sys, time
import numpy as np
cases = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
out = []
for c in cases:
    a = rng.standard_normal(c['a'], dtype=np.float32)
    b = rng.standard_normal(c['b'], dtype=np.float32)
    if c['bDtype'] == 'f16':
        b = b.astype(np.float16)
    f = (lambda: a @ np.swapaxes(b, -1, -2)) if c['tB'] else (lambda: a @ b)
    f()
    times = []
    t0 = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - t0 < 1.0 and len(times) < 50):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    times.sort()
    out.append(times[len(times) // 2])
blas = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l})
print(json.dumps({'numpy': np.__version__, 'blas': ', '.join(blas), 'times': out}))
`;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  // Debian's libblas.so.3 alternative may point at the reference BLAS; use OpenBLAS when present.
  const openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
  if (existsSync(openblas)) env.LD_LIBRARY_PATH = [openblas, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const arg = JSON.stringify(cases.map((c) => ({ a: c.a, b: c.b, tB: c.attrs.transposeB, bDtype: c.bDtype ?? 'f32' })));
  const res = spawnSync('/usr/bin/python3', ['-c', script, arg], { env, encoding: 'utf8', timeout: 120_000 });
  if (res.status !== 0) return null;
  const parsed = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { numpy: string; blas: string; times: number[] };
  numpyVersion = `${parsed.numpy} with ${parsed.blas}`;
  return parsed.times;
}
let numpyVersion = '';

const fmt = (x: number | null | undefined, digits = 1): string => (x == null || !Number.isFinite(x) ? '—' : x.toFixed(digits));

function runTable(title: string, cases: Case[]): void {
  const np = numpyTimes(cases);
  console.log(`\n### ${title}\n`);
  console.log('| product | ours ms | ours GFLOP/s | naive GFLOP/s | numpy GFLOP/s | ours/naive | ours/numpy |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  cases.forEach((c, i) => {
    const a = view(c.a);
    const b = view(c.b, c.bDtype);
    const f = flops(c);
    const ours = timeMedian(() => matmulCpu(a, b, c.attrs), 1000);
    const naive = c.naive === 'repeat' ? timeMedian(() => matmulNaive(a, b, c.attrs), 1000) : c.naive === 'once' ? timeOnce(() => matmulNaive(a, b, c.attrs)) : null;
    const npT = np?.[i] ?? null;
    const g = (t: number | null): number | null => (t == null ? null : f / t / 1e9);
    console.log(
      `| ${c.name} | ${fmt(ours * 1000, 2)} | ${fmt(g(ours))} | ${fmt(g(naive), 2)} | ${fmt(g(npT))} | ${naive == null ? '—' : `${fmt(naive / ours)}×`} | ${npT == null ? '—' : `${fmt(npT / ours, 2)}×`} |`,
    );
  });
}

const cpus = os.cpus();
console.log(`CPU: ${cpus[0]?.model.trim()} (${os.availableParallelism()} threads), Node ${process.version}; matmul threads: ${cpuThreadCount()}`);
// Other processes skew every figure on a shared machine: print the load so readers can tell.
console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')}`);
runTable('Square f32 matmul', SQUARE);
runTable('EVE shapes (transposeB = PyTorch [out, in] weights)', EVE);
console.log(`load average at end: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')}`);
console.log(numpyVersion ? `\nnumpy ${numpyVersion} (OPENBLAS_CORETYPE/L2_SIZE unset)` : '\nnumpy: not available');
await disposeCpuWorkers();
