// Shape arithmetic, with property tests for NumPy broadcasting and reshape inference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors.js';
import { broadcastShapes, contiguousStrides, inferReshape, isContiguous, normalizeAxes, sizeOf } from './shape.js';

const dims = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 5 });

/** NumPy's rule, written independently: right-align, each pair equal or one of them 1. */
function broadcastRef(a: readonly number[], b: readonly number[]): number[] | null {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

describe('broadcastShapes', () => {
  it('follows NumPy: equal to an independent reference, or a ShapeError naming both shapes', () => {
    fc.assert(
      fc.property(dims, dims, (a, b) => {
        const want = broadcastRef(a, b);
        if (want === null) {
          expect(() => broadcastShapes(a, b)).toThrow(ShapeError);
          expect(() => broadcastShapes(a, b)).toThrow(`[${a.join(', ')}] and [${b.join(', ')}]`);
        } else {
          expect(broadcastShapes(a, b)).toEqual(want);
          expect(broadcastShapes(b, a)).toEqual(want); // symmetric
        }
      }),
    );
  });

  it('a shape broadcasts with any of its "1-ified" or truncated versions to itself', () => {
    fc.assert(
      fc.property(dims, fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), fc.nat(5), (s, ones, drop) => {
        const t = s.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, s.length));
        expect(broadcastShapes(s, t)).toEqual(s);
        expect(broadcastShapes(s, [])).toEqual(s);
      }),
    );
  });
});

describe('inferReshape and strides', () => {
  it('resolves one -1 and rejects impossible targets', () => {
    expect(inferReshape([-1, 3], 12)).toEqual([4, 3]);
    expect(inferReshape([2, -1, 1], 6)).toEqual([2, 3, 1]);
    expect(() => inferReshape([-1, 5], 12)).toThrow(/cannot infer -1/);
    expect(() => inferReshape([0, -1], 0)).toThrow(/cannot infer -1/);
    expect(() => inferReshape([5], 6)).toThrow(/6 elements cannot have shape \[5\]/);
  });

  it('contiguous strides are row-major and recognised as contiguous, for any shape', () => {
    fc.assert(
      fc.property(dims, (s) => {
        const st = contiguousStrides(s);
        expect(isContiguous(s, st)).toBe(true);
        s.forEach((_, i) => expect(st[i]).toBe(sizeOf(s.slice(i + 1))));
      }),
    );
  });

  it('normalizeAxes sorts, dedupes and resolves negative axes', () => {
    expect(normalizeAxes([-1, 0, 2], 3)).toEqual([0, 2]);
    expect(normalizeAxes(undefined, 2)).toEqual([0, 1]);
    expect(() => normalizeAxes(3, 3, 'sum')).toThrow(/sum: axis 3 is out of range for rank 3/);
  });
});
