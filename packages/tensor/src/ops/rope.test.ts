// ropeTables against the float64 formula, and the layout rope relies on.
import { describe, expect, it } from 'vitest';
import { ropeTablesRef } from '../testing/reference.js';
import { ropeTables } from './rope.js';

describe('ropeTables', () => {
  it('matches the float64 formula within the f32 rounding of the angle', () => {
    for (const [dim, base] of [
      [8, 10000],
      [6, 10000],
      [128, 10000],
      [4, 500000],
    ] as const) {
      const len = 2048;
      const { cos, sin } = ropeTables(0, len, dim, base);
      const want = ropeTablesRef(0, len, dim, base);
      for (let p = 0; p < len; p++) {
        for (let i = 0; i < dim; i++) {
          const k = p * dim + i;
          // Like PyTorch, the angle pos·inv_freq is formed in f32: inv_freq and the product are each
          // rounded (≤ 2⁻²⁴ relative), so cos/sin may move by up to ~2·2⁻²⁴·|angle|, plus f32 output rounding.
          const angle = p * base ** (-(2 * (i % (dim / 2))) / dim);
          const bound = 2.5 * 2 ** -24 * angle + 1.2e-7;
          const dc = Math.abs(cos[k]! - want.cos.data[k]!);
          const ds = Math.abs(sin[k]! - want.sin.data[k]!);
          if (dc > bound || ds > bound) expect.fail(`dim ${dim} pos ${p} i ${i}: cos off by ${dc}, sin by ${ds} (bound ${bound})`);
        }
      }
    }
  });

  it('is exact at small positions and repeats the half-dim angles (concat(freqs, freqs))', () => {
    const { cos, sin } = ropeTables(0, 3, 6);
    expect([...cos.subarray(0, 6)]).toEqual([1, 1, 1, 1, 1, 1]);
    expect([...sin.subarray(0, 6)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(cos[6]).toBe(Math.fround(Math.cos(1)));
    for (let p = 0; p < 3; p++) for (let i = 0; i < 3; i++) expect(cos[p * 6 + i]).toBe(cos[p * 6 + i + 3]);
  });

  it('a window starting at `start` equals those rows of the full table (decoding with a cache)', () => {
    const full = ropeTables(0, 40, 8);
    const part = ropeTables(33, 7, 8);
    expect([...part.cos]).toEqual([...full.cos.subarray(33 * 8)]);
    expect([...part.sin]).toEqual([...full.sin.subarray(33 * 8)]);
  });
});
