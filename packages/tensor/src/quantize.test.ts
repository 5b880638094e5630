import { describe, expect, it } from 'vitest';
import { f16BitsToF32, f32ToF16Bits } from './dtype.js';
import { dequantizeRows, quantizedByteLength, quantizeHost, QUANT_BLOCK, type QuantFormat } from './quantize.js';
import { Rng } from './rng.js';

function roundTrip(format: QuantFormat, values: Float64Array, rows: number, cols: number): Float32Array {
  const q = quantizeHost(format, rows, cols, (i) => values[i]!);
  const out = new Float32Array(rows * cols);
  dequantizeRows(format, cols, q.quants, 0, q.scales, 0, 0, rows, out);
  return out;
}

function errors(a: Float64Array, b: Float32Array) {
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += a[i]! ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
  }
  return { relL2: Math.sqrt(num / den), maxAbs };
}

describe('block quantisation (q8_0, q4_0)', () => {
  const rows = 33;
  const cols = 160;
  const rng = new Rng(20261124);
  // Gaussian weights with a few outliers, like a trained matrix.
  const w = Float64Array.from({ length: rows * cols }, () => rng.normal() * 0.02 * (rng.uniform() < 0.01 ? 8 : 1));

  it('q8_0 keeps a Gaussian matrix within 1% relative L2, every value within half a step', () => {
    const out = roundTrip('q8_0', w, rows, cols);
    const { relL2 } = errors(w, out);
    expect(relL2).toBeLessThan(0.01);
    expect(relL2).toBeGreaterThan(0); // it really quantised
    for (let b = 0; b < (rows * cols) / QUANT_BLOCK; b++) {
      let amax = 0;
      for (let j = 0; j < QUANT_BLOCK; j++) amax = Math.max(amax, Math.abs(w[b * QUANT_BLOCK + j]!));
      const d = f16BitsToF32(f32ToF16Bits(amax / 127));
      for (let j = 0; j < QUANT_BLOCK; j++) {
        const i = b * QUANT_BLOCK + j;
        // Half a step from rounding, plus the f16 rounding of d scaled by |q| ≤ 127.
        expect(Math.abs(w[i]! - out[i]!)).toBeLessThanOrEqual(d / 2 + 127 * Math.abs(d - amax / 127) + 1e-9);
      }
    }
  });

  it('q4_0 keeps it within 15% relative L2 and maps each block extreme exactly to −8·d', () => {
    const out = roundTrip('q4_0', w, rows, cols);
    const { relL2 } = errors(w, out);
    expect(relL2).toBeLessThan(0.15);
    expect(relL2).toBeGreaterThan(0.01);
    for (let b = 0; b < (rows * cols) / QUANT_BLOCK; b++) {
      let m = 0;
      let at = 0;
      for (let j = 0; j < QUANT_BLOCK; j++) {
        if (Math.abs(w[b * QUANT_BLOCK + j]!) > Math.abs(m)) {
          m = w[b * QUANT_BLOCK + j]!;
          at = b * QUANT_BLOCK + j;
        }
      }
      expect(out[at]).toBe(-8 * f16BitsToF32(f32ToF16Bits(m / -8)));
    }
  });

  it('values already on the grid come back exactly; all-zero blocks stay zero', () => {
    const grid = new Float64Array(2 * 64);
    for (let i = 0; i < 64; i++) grid[i] = ((i % 32) - 16) * 0.25 * (i % 32 === 0 ? 127 / 16 : 1); // block max 127·0.25 → d = 0.25
    expect(Array.from(roundTrip('q8_0', grid, 2, 64))).toEqual(Array.from(grid, (v) => Math.fround(v)));
  });

  it('sizes: 1.0625 bytes per weight for q8_0, 0.5625 for q4_0', () => {
    expect(quantizedByteLength('q8_0', 4096, 4096)).toBe(4096 * 4096 * 1.0625);
    expect(quantizedByteLength('q4_0', 4096, 11008)).toBe(4096 * 11008 * 0.5625);
  });

  it('rejects rows that are not whole blocks', () => {
    expect(() => quantizeHost('q8_0', 2, 48, () => 1)).toThrow(/48 columns is not a multiple of the 32-value/);
  });
});
