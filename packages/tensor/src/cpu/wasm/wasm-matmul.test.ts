/**
 * The WASM matmul against a float64 reference, through every path: packed gemm (all four
 * transpose combinations), the dotRows matvec path (m ≤ 4 with transposeB), batch broadcasting,
 * f16/bf16 weights, view offsets, odd sizes (1, 3, 17, 65, 129, 257; K not a multiple of 4) and
 * products large enough to run on the worker threads; and the quantised matvec kernels (q8_0 and
 * q4_0 weights) against the same reference of their dequantised weight.
 *
 * Tolerance: |c − r| ≤ 4·u·√K·S with u = 2⁻²⁴ (f32 unit roundoff) and S = Σₚ|aᵢₚ·bₚⱼ|, the usual
 * probabilistic bound for a K-term f32 sum (its error grows like √K, not K); it is rtol ≈ 2.4e-7·√K
 * relative to S. For K = 4096 and inputs in [-1, 1] that is ~0.016 against |c| ~ 20.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { convertHostArray, toFloat32Array, type DType } from '../../dtype.js';
import type { TensorView } from '../../kernel-registry.js';
import type { MatmulAttrs } from '../../ops/matmul.js';
import { planMatmul } from '../kernels/matmul.js';
import { dequantizeRows, quantizeHost } from '../../quantize.js';
import { cpuThreadCount, disposeCpuWorkers, matmulWasm, quantizedMatvecWasm, splitWeighted } from './wasm-matmul.js';

afterAll(disposeCpuWorkers);

function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomF32(n: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rand() * 2 - 1;
  return x;
}

function view(shape: number[], storage: Float32Array | Uint16Array, dtype: DType = 'f32', offset = 0): TensorView {
  return { storage, dtype, shape, strides: [], offset };
}

/** float64 reference: C and S = Σ|a·b| per element, from the same batch offsets. */
function reference(a: TensorView, b: TensorView, attrs: MatmulAttrs): { c: Float64Array; s: Float64Array; k: number } {
  const { m, k, n, aOffsets, bOffsets } = planMatmul(a, b, attrs);
  const ad = a.storage as Float32Array;
  const bd = toFloat32Array(b.storage as Float32Array | Uint16Array, b.dtype);
  const c = new Float64Array(aOffsets.length * m * n);
  const s = new Float64Array(c.length);
  for (let bi = 0; bi < aOffsets.length; bi++) {
    const ao = aOffsets[bi]!;
    const bo = bOffsets[bi]!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const av = ad[ao + (attrs.transposeA ? p * m + i : i * k + p)]!;
          const bv = bd[bo + (attrs.transposeB ? j * k + p : p * n + j)]!;
          acc += av * bv;
          abs += Math.abs(av * bv);
        }
        c[bi * m * n + i * n + j] = acc;
        s[bi * m * n + i * n + j] = abs;
      }
    }
  }
  return { c, s, k };
}

function expectMatchesReference(a: TensorView, b: TensorView, attrs: MatmulAttrs): void {
  const out = matmulWasm(a, b, attrs, planMatmul(a, b, attrs));
  expect(out, 'WebAssembly SIMD should be available in Node').not.toBeNull();
  const { c, s, k } = reference(a, b, attrs);
  expect(out!.length).toBe(c.length);
  const u = 2 ** -24;
  let misses = 0;
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < c.length; i++) {
    const err = Math.abs(out![i]! - c[i]!);
    if (!(err <= 4 * u * Math.sqrt(k) * s[i]!)) misses++;
    if (!(err <= worstErr)) {
      worstErr = err;
      worst = i;
    }
  }
  const msg = `${misses}/${c.length} elements out of tolerance; worst |err| ${worstErr.toExponential(2)} at ${worst} (ref ${c[worst]})`;
  expect(misses, msg).toBe(0);
}

const TRANSPOSES: MatmulAttrs[] = [
  { transposeA: false, transposeB: false },
  { transposeA: true, transposeB: false },
  { transposeA: false, transposeB: true },
  { transposeA: true, transposeB: true },
];
const label = (t: MatmulAttrs): string => `${t.transposeA ? 'Aᵀ' : 'A'}·${t.transposeB ? 'Bᵀ' : 'B'}`;

// [m, k, n]: odd sizes, K not a multiple of 4, matvec (m ≤ 4), and big enough to use the workers.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 3, 17], [3, 17, 1], [2, 65, 3], [4, 257, 129], [5, 255, 33], [17, 65, 129], [65, 129, 17],
  [129, 257, 65], [257, 3, 129], [1, 4096, 65], [33, 1, 257], [96, 130, 200],
];

describe('matmulWasm vs float64 reference', () => {
  it('runs on the expected number of threads', () => {
    expect(cpuThreadCount()).toBeGreaterThanOrEqual(1);
  });

  for (const t of TRANSPOSES) {
    it(`${label(t)} over odd shapes`, () => {
      const rand = seededRandom(1234);
      for (const [m, k, n] of SHAPES) {
        const a = view(t.transposeA ? [k, m] : [m, k], randomF32(m * k, rand));
        const b = view(t.transposeB ? [n, k] : [k, n], randomF32(k * n, rand));
        expectMatchesReference(a, b, t);
      }
    });

    it(`${label(t)} with broadcast batch dimensions`, () => {
      const rand = seededRandom(99);
      const [m, k, n] = [17, 65, 33];
      // a [2, 1, ·, ·] × b [3, ·, ·] → [2, 3, m, n]; then a rank-2 A against a batched B.
      const a = view(t.transposeA ? [2, 1, k, m] : [2, 1, m, k], randomF32(2 * m * k, rand));
      const b = view(t.transposeB ? [3, n, k] : [3, k, n], randomF32(3 * k * n, rand));
      expectMatchesReference(a, b, t);
      const a2 = view(t.transposeA ? [k, 3] : [3, k], randomF32(3 * k, rand));
      expectMatchesReference(a2, b, t);
    });
  }

  it('matvec path with a batched A and one shared weight (decode-time attention-like)', () => {
    const rand = seededRandom(7);
    const a = view([4, 1, 257], randomF32(4 * 257, rand));
    const w = view([300, 257], randomF32(300 * 257, rand));
    expectMatchesReference(a, w, { transposeA: false, transposeB: true });
  });

  for (const dtype of ['f16', 'bf16'] as const) {
    it(`decodes ${dtype} weights (gemm and matvec paths)`, () => {
      const rand = seededRandom(5);
      const w = convertHostArray(randomF32(129 * 65, rand), 'f32', dtype) as Uint16Array;
      const b = view([129, 65], w, dtype);
      expectMatchesReference(view([33, 65], randomF32(33 * 65, rand)), b, { transposeA: false, transposeB: true });
      expectMatchesReference(view([1, 65], randomF32(65, rand)), b, { transposeA: false, transposeB: true });
    });
  }

  for (const t of TRANSPOSES) {
    it(`${label(t)}: many small batches split across the threads give, bit for bit, each batch's own product`, () => {
      const rand = seededRandom(21);
      // Attention-like: 24 batches of [37, 20] × [20, 41] (30 k multiply-adds each, 0.7 M in all),
      // then B broadcast over the inner batch axis (runs of equal B offsets share one packed B).
      const [m, k, n] = [37, 20, 41];
      for (const [aBatch, bBatch] of [[[24], [24]], [[6, 4], [6, 1]]] as [number[], number[]][]) {
        const nb = aBatch.reduce((x, y) => x * y, 1);
        const nbB = bBatch.reduce((x, y) => x * y, 1);
        const a = view([...aBatch, ...(t.transposeA ? [k, m] : [m, k])], randomF32(nb * m * k, rand));
        const b = view([...bBatch, ...(t.transposeB ? [n, k] : [k, n])], randomF32(nbB * k * n, rand));
        expectMatchesReference(a, b, t);
        const batched = matmulWasm(a, b, t, planMatmul(a, b, t))!;
        const plan = planMatmul(a, b, t);
        for (let bi = 0; bi < nb; bi++) {
          const a1 = view(t.transposeA ? [k, m] : [m, k], (a.storage as Float32Array).subarray(plan.aOffsets[bi]!, plan.aOffsets[bi]! + m * k));
          const b1 = view(t.transposeB ? [n, k] : [k, n], (b.storage as Float32Array).subarray(plan.bOffsets[bi]!, plan.bOffsets[bi]! + k * n));
          const one = matmulWasm(a1, b1, t, planMatmul(a1, b1, t))!;
          expect(batched.subarray(bi * m * n, (bi + 1) * m * n)).toEqual(one);
        }
      }
    });
  }

  it('honours view offsets', () => {
    const rand = seededRandom(11);
    const a = view([17, 65], randomF32(10 + 17 * 65, rand), 'f32', 10);
    const b = view([65, 33], randomF32(3 + 65 * 33, rand), 'f32', 3);
    expectMatchesReference(a, b, { transposeA: false, transposeB: false });
  });

  it('returns zeros for K = 0 and an empty array for M = 0', () => {
    const attrs = { transposeA: false, transposeB: false };
    const a = view([3, 0], new Float32Array(0));
    const b = view([0, 5], new Float32Array(0));
    expect(Array.from(matmulWasm(a, b, attrs, planMatmul(a, b, attrs))!)).toEqual(new Array(15).fill(0));
    const a0 = view([0, 4], new Float32Array(0));
    const b0 = view([4, 5], new Float32Array(20));
    expect(matmulWasm(a0, b0, attrs, planMatmul(a0, b0, attrs))!.length).toBe(0);
  });

  it('gives, bit for bit, the sequential f32 sums on every call while the split between threads adapts', () => {
    // Each call re-sizes the threads' shares from their measured speeds (runSplit); whichever
    // thread computes an element, it is c = f32(c + f32(a·b)) over p in order, as here.
    const rand = seededRandom(31);
    const f = Math.fround;
    for (const t of TRANSPOSES) {
      const [m, k, n] = [161, 160, 96];
      const ad = randomF32(m * k, rand);
      const bd = randomF32(k * n, rand);
      const a = view(t.transposeA ? [k, m] : [m, k], ad);
      const b = view(t.transposeB ? [n, k] : [k, n], bd);
      const want = new Float32Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let c = 0;
          for (let p = 0; p < k; p++) c = f(c + f(ad[t.transposeA ? p * m + i : i * k + p]! * bd[t.transposeB ? j * k + p : p * n + j]!));
          want[i * n + j] = c;
        }
      }
      for (let call = 0; call < 40; call++) {
        const got = matmulWasm(a, b, t, planMatmul(a, b, t))!;
        let differ = 0;
        for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) differ++;
        expect(differ, `${label(t)}, call ${call}: elements that differ`).toBe(0);
      }
    }
  });

  it('gives the same result after the workers are disposed and restarted', async () => {
    const rand = seededRandom(3);
    const a = view([129, 129], randomF32(129 * 129, rand));
    const b = view([129, 129], randomF32(129 * 129, rand));
    const attrs = { transposeA: false, transposeB: true };
    const first = matmulWasm(a, b, attrs, planMatmul(a, b, attrs))!;
    await disposeCpuWorkers();
    const second = matmulWasm(a, b, attrs, planMatmul(a, b, attrs))!;
    expect(Array.from(second)).toEqual(Array.from(first));
  });
});

describe('quantizedMatvecWasm (dotRowsQ8 / dotRowsQ4) vs a float64 reference of the dequantised weight', () => {
  // [m, k, n]: single-threaded and (m·n·k ≥ 2¹⁸) split across the worker threads; n odd so the
  // thread slices start mid-matrix; k a few blocks to a few hundred.
  const CASES: [number, number, number][] = [[1, 32, 1], [2, 96, 17], [1, 1024, 301], [4, 2048, 129]];
  for (const format of ['q8_0', 'q4_0'] as const) {
    for (const [m, k, n] of CASES) {
      it(`${format}: [${m}, ${k}] × [${n}, ${k}]ᵀ`, () => {
        const rand = seededRandom(m * 1_000_003 + k * 31 + n);
        const w = randomF32(n * k, rand);
        const q = quantizeHost(format, n, k, (i) => w[i]!);
        const deq = new Float32Array(n * k);
        dequantizeRows(format, k, q.quants, 0, q.scales, 0, 0, n, deq);
        // x sits at an offset inside its storage, like a view.
        const xs = randomF32(3 + m * k, rand);
        const out = new Float32Array(m * n);
        const quants: TensorView = { storage: q.quants, dtype: 'i32', shape: [n, q.quants.length / n], strides: [], offset: 0 };
        const scales: TensorView = { storage: q.scales, dtype: 'f16', shape: [n, k / 32], strides: [], offset: 0 };
        expect(quantizedMatvecWasm(format, xs, 3, m, k, quants, scales, n, out)).toBe(true);
        const { c, s } = reference(view([m, k], xs.subarray(3)), view([n, k], deq), { transposeA: false, transposeB: true });
        // Each block's partial sum is rounded, then scaled: the same √K bound as a plain f32 dot product, with a 2× margin.
        for (let i = 0; i < c.length; i++) expect(Math.abs(out[i]! - c[i]!), `element ${i}`).toBeLessThanOrEqual(8 * 2 ** -24 * Math.sqrt(k) * s[i]! + 1e-30);
      });
    }
  }
});

describe('splitWeighted (how a product is shared between threads)', () => {
  it('covers [0, count) with contiguous ranges in proportion to the weights, dropping empty ones', () => {
    expect(splitWeighted(10, [1, 1])).toEqual([[0, 5], [5, 10]]);
    expect(splitWeighted(41, [1, 0.5])).toEqual([[0, 27], [27, 41]]);
    expect(splitWeighted(3, [1, 1, 1, 1])).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(splitWeighted(100, [1, 0.05])).toEqual([[0, 95], [95, 100]]);
    expect(splitWeighted(7, [1])).toEqual([[0, 7]]);
    for (const [count, weights] of [[1, [1, 3]], [65, [1, 0.3, 2.5]], [1000, [1, 0.77]]] as [number, number[]][]) {
      const ranges = splitWeighted(count, weights);
      expect(ranges[0]![0]).toBe(0);
      expect(ranges.at(-1)![1]).toBe(count);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
      for (const [lo, hi] of ranges) expect(hi).toBeGreaterThan(lo);
    }
  });
});
