/**
 * The SIMD binary arithmetic (wasm-elementwise.ts) against the TypeScript expressions it stands in
 * for (BINARY in kernels/elementwise.ts: an f64 operation stored to an f32 array), bit for bit, on
 * fresh random inputs that span magnitudes from subnormal to 1e30 and both signs, for dense and
 * scalar operands, lengths that are not a multiple of 4 and ones longer than a staging chunk; and
 * through the CPU kernels with broadcasting, where rows of 64 values or more take this path.
 */
import { describe, expect, it } from 'vitest';
import { BINARY } from '../kernels/elementwise.js';
import { binaryWasm, type WasmBinaryOp } from './wasm-elementwise.js';
import { registerCpuBackend } from '../cpu-backend.js';
import { add, div, mul, sub } from '../../ops/index.js';
import { tensor } from '../../ops/creation.js';
import { Rng } from '../../rng.js';

/** Signed values with exponents from 2⁻¹⁴⁰ (subnormal in f32) to 2¹⁰⁰, none zero. */
function wideF32(n: number, rng: Rng): Float32Array {
  const rand = (): number => rng.uniform();
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = (rand() < 0.5 ? -1 : 1) * (0.5 + rand()) * 2 ** Math.floor(rand() * 240 - 140);
    x[i] = v === 0 ? 1 : v;
  }
  return x;
}

const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.length);
const OPS: WasmBinaryOp[] = ['add', 'sub', 'mul', 'div'];

describe('binaryWasm vs the TypeScript loop', () => {
  for (const op of OPS) {
    it(`${op}: dense·dense, dense·scalar, scalar·dense, bit for bit (subnormals, ±, lengths 1 … 2 chunks + 3)`, () => {
      const rng = new Rng(op.length * 7 + op.charCodeAt(0));
      for (const n of [1, 3, 4, 5, 63, 64, 1001, 16384, 16384 * 2 + 3]) {
        for (const [sa, sb] of [[1, 1], [1, 0], [0, 1]] as [0 | 1, 0 | 1][]) {
          const a = wideF32(n + 5, rng);
          const b = wideF32(n + 2, rng);
          const [ai, bi, oi] = [5, 2, 3]; // operands and output at offsets
          const got = new Float32Array(n + 3);
          expect(binaryWasm(op, got, oi, a, ai, sa, b, bi, sb, n)).toBe(true);
          const want = new Float32Array(n + 3);
          for (let j = 0; j < n; j++) want[oi + j] = BINARY[op]!(a[ai + j * sa]!, b[bi + j * sb]!);
          expect(bits(got.subarray(oi)), `${op} n=${n} strides ${sa},${sb}`).toEqual(bits(want.subarray(oi)));
          expect(Array.from(got.subarray(0, oi)), 'nothing written before the output offset').toEqual([0, 0, 0]);
        }
      }
    });
  }
});

describe('the CPU binary kernels with rows long enough for the SIMD path', () => {
  registerCpuBackend();
  const FNS = { add, sub, mul, div };
  for (const op of OPS) {
    it(`${op} with broadcasting (bias rows, per-row scalars, a scalar) equals the elementwise reference`, () => {
      const rng = new Rng(99 + op.charCodeAt(1));
      const [rows, cols] = [19, 261];
      const x = wideF32(rows * cols, rng);
      const cases: [Float32Array, number[]][] = [
        [wideF32(rows * cols, rng), [rows, cols]],
        [wideF32(cols, rng), [cols]],
        [wideF32(rows, rng), [rows, 1]],
        [wideF32(1, rng), []],
      ];
      for (const [y, shape] of cases) {
        const got = FNS[op](tensor(x, [rows, cols]), tensor(y, shape)).dataSync() as Float32Array;
        const want = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            const yi = shape.length === 2 ? (shape[1] === 1 ? r : r * cols + c) : shape.length === 1 ? c : 0;
            want[r * cols + c] = BINARY[op]!(x[r * cols + c]!, y[yi]!);
          }
        }
        expect(bits(got), `${op} with y of shape [${shape.join(', ')}]`).toEqual(bits(want));
      }
    });
  }
});
