/**
 * f32 binary arithmetic on the CPU: the TypeScript loops (BINARY_LOOPS in kernels/elementwise.ts,
 * what every binary op ran before) against the WebAssembly SIMD path (wasm-elementwise.ts, what
 * dense and scalar rows of at least 64 values run now), on the operand shapes a training step of
 * the built-in model produces most: gradient accumulation of its weights, grad-norm squares and
 * clipping scales, SwiGLU products, RMSNorm's per-row scale and attention's mask and max. Each
 * case checks that both give the same bits, then times both in the same process (medians).
 *
 *   pnpm bench elementwise
 */
import { BINARY_LOOPS } from '../src/cpu/kernels/elementwise.js';
import { binaryWasm, type WasmBinaryOp } from '../src/cpu/wasm/wasm-elementwise.js';

interface Case {
  name: string;
  op: WasmBinaryOp;
  /** Rows × length of each row; b's stride within a row (1 dense, 0 a scalar per row). */
  rows: number;
  length: number;
  sb: 0 | 1;
}

const CASES: Case[] = [
  { name: 'MLP weight gradient + gradient [688, 256]', op: 'add', rows: 1, length: 688 * 256, sb: 1 },
  { name: 'attention weight gradient + gradient [256, 256]', op: 'add', rows: 1, length: 256 * 256, sb: 1 },
  { name: 'gradient squared, for the norm [688, 256]', op: 'mul', rows: 1, length: 688 * 256, sb: 1 },
  { name: 'gradient × clip scale [256, 256] · []', op: 'mul', rows: 1, length: 256 * 256, sb: 0 },
  { name: 'SwiGLU gate × up [161, 688]', op: 'mul', rows: 1, length: 161 * 688, sb: 1 },
  { name: 'RMSNorm rows × per-row scale [161, 256] · [161, 1]', op: 'mul', rows: 161, length: 256, sb: 0 },
  { name: 'scores − row max [8, 161, 161] · [8, 161, 1]', op: 'sub', rows: 8 * 161, length: 161, sb: 0 },
  { name: 'scores + mask [8, 161, 161] · [161, 161]', op: 'add', rows: 8, length: 161 * 161, sb: 1 },
];

function random(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    x[i] = seed / 2 ** 31 - 1;
  }
  return x;
}

/** Median ms per call: one warm-up, then runs for ~300 ms (at least 5). */
function timeMedian(fn: () => void): number {
  fn();
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < 5 || performance.now() - t0 < 300) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  return times[times.length >> 1]!;
}

console.log('| operands | TypeScript loop (ms) | WASM SIMD (ms) | speed-up |');
console.log('| --- | --- | --- | --- |');
for (const c of CASES) {
  const n = c.rows * c.length;
  const a = random(n, 1);
  // b: dense rows repeat one row's values (a bias-like broadcast); scalars are one per row.
  const b = random(c.sb === 1 ? c.length : c.rows, 2);
  const bStart = (r: number): number => (c.sb === 1 ? 0 : r);
  const loop = BINARY_LOOPS[c.op]!;
  const slow = new Float32Array(n);
  const fast = new Float32Array(n);
  const runLoop = (): void => {
    for (let r = 0; r < c.rows; r++) loop(slow, r * c.length, a, r * c.length, 1, b, bStart(r), c.sb, c.length);
  };
  const runWasm = (): void => {
    for (let r = 0; r < c.rows; r++) if (!binaryWasm(c.op, fast, r * c.length, a, r * c.length, 1, b, bStart(r), c.sb, c.length)) throw new Error('no WebAssembly SIMD here');
  };
  runLoop();
  runWasm();
  const same = new Uint32Array(slow.buffer).every((v, i) => v === new Uint32Array(fast.buffer)[i]);
  if (!same) throw new Error(`${c.name}: the two paths differ`);
  const tLoop = timeMedian(runLoop);
  const tWasm = timeMedian(runWasm);
  console.log(`| ${c.name} | ${tLoop.toFixed(3)} | ${tWasm.toFixed(3)} | ${(tLoop / tWasm).toFixed(2)}× |`);
}
console.log('\nBoth paths give the same bits in every case (checked before timing).');
