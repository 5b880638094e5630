/**
 * A backend-against-CPU benchmark shared by the backend packages' bench files: matmul at
 * 256/512/1024 and one small Llama-style transformer block, on `name` and on the CPU backend in
 * the same run, printed as GFLOP/s and speed ratios. Not a test: nothing is asserted. The backend
 * must be registered and initialised first.
 */
import { add, matmul, mul, permute, randn, reshape, rmsNorm, rope, ropeTables, silu, sliceAxis, softmax, tensor, tidy } from '../index.js';

/** Median milliseconds of `fn` (which must read its result back, so queued work is counted). */
function timeMs(fn: () => void, reps: number): number {
  fn(); // warm up
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]!;
}

export function benchBackendAgainstCpu(name: string): void {
for (const n of [256, 512, 1024]) {
  const ms: Record<string, number> = {};
  for (const backend of ['cpu', name]) {
    const a = randn([n, n], { seed: 1, backend });
    const b = randn([n, n], { seed: 2, backend });
    ms[backend] = timeMs(() => tidy(() => void matmul(a, b).dataSync()), n >= 1024 ? 2 : 4);
    a.dispose();
    b.dispose();
  }
  const gflops = (t: number) => ((2 * n ** 3) / t / 1e6).toFixed(1);
  console.log(`matmul ${n}³: cpu ${gflops(ms.cpu!)} GFLOP/s, ${name} ${gflops(ms[name]!)} GFLOP/s, ${name}/cpu speed ×${(ms.cpu! / ms[name]!).toFixed(2)}`);
}

// A Llama-style block: T=64 tokens, D=256, 4 heads, MLP 688 (odd on purpose), read back once.
function block(backend: string): { step: () => void; dispose: () => void } {
  const [t, d, h, f] = [64, 256, 4, 688];
  const dh = d / h;
  const w = (shape: number[], seed: number) => randn(shape, { seed, std: 0.05, backend });
  const p = { x: w([1, t, d], 1), qkv: w([3 * d, d], 2), o: w([d, d], 3), up: w([f, d], 4), gate: w([f, d], 5), down: w([d, f], 6), g: w([d], 7) };
  const tables = ropeTables(0, t, dh);
  const cos = tensor(tables.cos, [t, dh], { backend });
  const sin = tensor(tables.sin, [t, dh], { backend });
  const step = () =>
    tidy(() => {
      const hx = rmsNorm(p.x, p.g);
      const heads = permute(reshape(matmul(hx, p.qkv, { transposeB: true }), [1, t, 3, h, dh]), [2, 0, 3, 1, 4]); // (3, 1, H, T, Dh)
      const part = (i: number) => reshape(sliceAxis(heads, 0, i, i + 1), [1, h, t, dh]);
      const scores = mul(matmul(rope(part(0), cos, sin), rope(part(1), cos, sin), { transposeB: true }), 1 / Math.sqrt(dh));
      const y = reshape(permute(matmul(softmax(scores, -1), part(2)), [0, 2, 1, 3]), [1, t, d]);
      const x1 = add(p.x, matmul(y, p.o, { transposeB: true }));
      const m = rmsNorm(x1, p.g);
      const mlp = mul(silu(matmul(m, p.gate, { transposeB: true })), matmul(m, p.up, { transposeB: true }));
      void add(x1, matmul(mlp, p.down, { transposeB: true })).dataSync();
    });
  return { step, dispose: () => [...Object.values(p), cos, sin].forEach((x) => x.dispose()) };
}

const blockMs: Record<string, number> = {};
for (const backend of ['cpu', name]) {
  const b = block(backend);
  blockMs[backend] = timeMs(b.step, 5);
  b.dispose();
}
console.log(`transformer block (T=64, D=256): cpu ${blockMs.cpu!.toFixed(1)} ms, ${name} ${blockMs[name]!.toFixed(1)} ms, ${name}/cpu speed ×${(blockMs.cpu! / blockMs[name]!).toFixed(2)}`);
}
