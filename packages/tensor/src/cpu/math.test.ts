// erf in float64 serves both the CPU kernels and the tests' float64 references, so it is checked
// here against tabulated values (Abramowitz & Stegun 7.1 / mpmath) to 1e-12 absolute.
import { describe, expect, it } from 'vitest';
import { erf } from './math.js';

const KNOWN: [number, number][] = [
  [0, 0],
  [1e-5, 1.1283791670579e-5],
  [0.01, 0.011283415555849618],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [3, 0.9999779095030014],
  [4, 0.9999999845827421],
  [5, 0.9999999999984626],
  [6, 1],
];

describe('erf (float64)', () => {
  it.each(KNOWN)('erf(%d) matches the table to 1e-12', (x, want) => {
    expect(Math.abs(erf(x) - want)).toBeLessThan(1e-12);
    expect(Math.abs(erf(-x) + want)).toBeLessThan(1e-12);
  });

  it('is continuous where the series hands over to the continued fraction (|x| = 2)', () => {
    expect(Math.abs(erf(2 - 1e-12) - erf(2 + 1e-12))).toBeLessThan(1e-12);
  });

  it('saturates, keeps NaN and is odd', () => {
    expect(erf(10)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
    for (const x of [0.3, 1.7, 2.2, 3.9]) expect(erf(-x)).toBe(-erf(x));
  });

  it('has derivative 2/√π·e^(−x²) (central differences)', () => {
    for (const x of [-2.5, -1, -0.2, 0, 0.7, 1.99, 2.01, 3]) {
      const h = 1e-5;
      const numeric = (erf(x + h) - erf(x - h)) / (2 * h);
      expect(Math.abs(numeric - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x))).toBeLessThan(1e-9);
    }
  });
});
