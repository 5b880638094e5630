// View ops as property tests: permute/reshape/transpose round trips and slice-of-slice, on
// random shapes (including size-0 and size-1 dims), checked against the float64 references.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerCpuBackend } from '../cpu/cpu-backend.js';
import { tidy } from '../index.js';
import { sizeOf } from '../shape.js';
import { toTensor } from '../testing/from-nd.js';
import { nd } from '../testing/nd.js';
import { permuteRef, sliceRef } from '../testing/reference.js';
import { contiguous, permute, reshape, slice, transpose } from './views.js';

registerCpuBackend();

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 });
const withPerm = shapeArb.chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length })));
const values = (s: readonly number[]) => nd(s, Array.from({ length: sizeOf(s) }, (_, i) => Math.fround(Math.sin(i + 1) * 3)));

describe('view round trips', () => {
  it('permute matches the reference and the inverse permutation restores the input', () => {
    fc.assert(
      fc.property(withPerm, ([s, perm]) =>
        tidy(() => {
          const x = values(s);
          const t = toTensor(x);
          const p = permute(t, perm);
          expect([...p.dataSync()]).toEqual([...permuteRef(x, perm).data]);
          const inv = perm.map((_, i) => perm.indexOf(i));
          expect([...permute(p, inv).dataSync()]).toEqual([...x.data]);
          expect([...transpose(transpose(t, 0, -1), 0, -1).dataSync()]).toEqual([...x.data]);
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('reshape of a permuted (non-contiguous) view keeps row-major order and round-trips', () => {
    fc.assert(
      fc.property(withPerm, ([s, perm]) =>
        tidy(() => {
          const x = values(s);
          const p = permute(toTensor(x), perm);
          const flat = reshape(p, [sizeOf(s)]);
          expect([...flat.dataSync()]).toEqual([...permuteRef(x, perm).data]);
          expect([...reshape(flat, p.shape).dataSync()]).toEqual([...contiguous(p).dataSync()]);
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('a slice of a slice equals one slice with the summed offsets', () => {
    const arb = fc
      .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 })
      .chain((s) =>
        fc.tuple(
          fc.constant(s),
          fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d }).chain((b1) => fc.tuple(fc.constant(b1), fc.integer({ min: 0, max: d - b1 }))))),
        ),
      );
    fc.assert(
      fc.property(arb, ([s, windows]) =>
        tidy(() => {
          const x = values(s);
          const begin = windows.map(([b]) => b);
          const size = windows.map(([, n]) => n);
          const outer = slice(toTensor(x), begin, size);
          const inner = slice(outer, size.map((n) => Math.floor(n / 2)), size.map((n) => n - Math.floor(n / 2)));
          const want = sliceRef(x, begin.map((b, i) => b + Math.floor(size[i]! / 2)), size.map((n) => n - Math.floor(n / 2)));
          expect([...inner.dataSync()]).toEqual([...want.data]);
        }),
      ),
      { numRuns: 200 },
    );
  });
});
