// f16/bf16 conversions: exact bit patterns (ties to even, subnormals, overflow, NaN), an
// independent nearest-value reference over random f32 bit patterns, and all 65536 round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, convertHostArray, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './dtype.js';

const f32FromBits = (bits: number): number => new Float32Array(new Uint32Array([bits >>> 0]).buffer)[0]!;
const isNaNHalf = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x03ff) !== 0;
const isNaNBf16 = (h: number): boolean => (h & 0x7f80) === 0x7f80 && (h & 0x007f) !== 0;

describe('f32ToF16Bits', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff], // largest finite half
    [65519.99, 0x7bff], // below the midpoint to 65536: stays finite
    [65520, 0x7c00], // the midpoint ties to even, which is infinity
    [1e6, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // half of it: a tie, rounds to even (zero)
    [3 * 2 ** -26, 0x0001], // 0.75 of the smallest subnormal rounds up
    [3 * 2 ** -25, 0x0002], // 1.5 subnormal ulps: tie to even (2)
    [5 * 2 ** -25, 0x0002], // 2.5: tie to even (2)
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and 1+2^-10: to even (1)
    [1 + 3 * 2 ** -11, 0x3c02], // halfway between 1+2^-10 and 1+2^-9: to even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie rounds up
    [2047 / 1024 + 2 ** -11, 0x4000], // mantissa carry into the exponent
    [0.1, 0x2e66],
  ])('%d → bits %i', (x, bits) => {
    expect(f32ToF16Bits(x)).toBe(bits);
  });

  it('keeps NaN a NaN (with its sign)', () => {
    expect(isNaNHalf(f32ToF16Bits(NaN))).toBe(true);
    expect(isNaNHalf(f32ToF16Bits(f32FromBits(0xff800001)))).toBe(true);
    expect(f32ToF16Bits(f32FromBits(0xff800001)) & 0x8000).toBe(0x8000);
  });
});

describe('f32ToBf16Bits', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3f80],
    [f32FromBits(0x3f808000), 0x3f80], // tie, even stays
    [f32FromBits(0x3f818000), 0x3f82], // tie, odd rounds up to even
    [f32FromBits(0x3f808001), 0x3f81], // just above the tie
    [f32FromBits(0x7f7fffff), 0x7f80], // f32 max rounds up to infinity
    [f32FromBits(0x7f7f7fff), 0x7f7f], // just below the midpoint stays the largest finite bf16
    [f32FromBits(0x00000001), 0x0000], // smallest f32 subnormal rounds to zero
    [f32FromBits(0x00018000), 0x0002], // subnormal tie to even (1 → 2)
    [-Infinity, 0xff80],
  ])('%d → bits %i', (x, bits) => {
    expect(f32ToBf16Bits(x)).toBe(bits);
  });

  it('keeps NaN a quiet NaN, also for NaNs whose payload sits in the low bits', () => {
    expect(isNaNBf16(f32ToBf16Bits(NaN))).toBe(true);
    expect(isNaNBf16(f32ToBf16Bits(f32FromBits(0x7f800001)))).toBe(true); // truncation would give inf
    expect(f32ToBf16Bits(f32FromBits(0xffc00000))).toBe(0xffc0);
  });
});

// An independent reference: the nearest representable value by float64 arithmetic, ties to an
// even bit pattern, and a value at or past the midpoint above the largest finite one → infinity.
const HALF_FINITE = Array.from({ length: 0x7c00 }, (_, h) => h); // positive finite patterns, ascending
function nearestF16(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  let lo = 0;
  let hi = HALF_FINITE.length - 1;
  if (a >= 65520) return sign | 0x7c00; // 65504 + half an ulp (16): the tie goes to even = inf
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (f16BitsToF32(mid) <= a) lo = mid;
    else hi = mid - 1;
  }
  const below = lo;
  const above = Math.min(lo + 1, 0x7bff);
  const db = a - f16BitsToF32(below);
  const da = f16BitsToF32(above) - a;
  const pick = db < da ? below : da < db ? above : below % 2 === 0 ? below : above;
  return sign | pick;
}
function nearestBf16(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const a = Math.abs(x);
  const below = (bits >>> 16) & 0x7fff;
  const vb = bf16BitsToF32(below);
  if (vb === a) return sign | below;
  const va = below === 0x7f7f ? 2 ** 128 : bf16BitsToF32(below + 1); // past the largest finite: inf's slot
  const db = a - vb;
  const da = va - a;
  const pick = db < da ? below : da < db ? below + 1 : below % 2 === 0 ? below : below + 1;
  return sign | pick;
}

describe('f16/bf16 conversion properties', () => {
  const anyF32 = fc.integer({ min: 0, max: 0xffffffff }).map(f32FromBits);

  it('f32ToF16Bits picks the nearest half (ties to even) for random f32 bit patterns', () => {
    fc.assert(
      fc.property(anyF32, (x) => {
        const got = f32ToF16Bits(x);
        if (Number.isNaN(x)) return isNaNHalf(got);
        return got === nearestF16(x);
      }),
      { numRuns: 20000 },
    );
  });

  it('f32ToF16Bits is exact around every half value (midpoints and their neighbours)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7bfe }), fc.constantFrom(-1, 0, 1), fc.boolean(), (h, nudge, neg) => {
        const mid = (f16BitsToF32(h) + f16BitsToF32(h + 1)) / 2; // exact in f32 for every half pair
        const bits = new Uint32Array(new Float32Array([mid]).buffer)[0]! + nudge;
        const x = f32FromBits(bits) * (neg ? -1 : 1);
        return f32ToF16Bits(x) === nearestF16(x);
      }),
      { numRuns: 20000 },
    );
  });

  it('f32ToBf16Bits picks the nearest bf16 (ties to even) for random f32 bit patterns', () => {
    fc.assert(
      fc.property(anyF32, (x) => {
        const got = f32ToBf16Bits(x);
        if (Number.isNaN(x)) return isNaNBf16(got);
        return got === nearestBf16(x);
      }),
      { numRuns: 20000 },
    );
  });

  it('every one of the 65536 f16 and bf16 patterns round-trips through f32', () => {
    for (let h = 0; h < 0x10000; h++) {
      const f = f16BitsToF32(h);
      if (isNaNHalf(h)) expect(isNaNHalf(f32ToF16Bits(f))).toBe(true);
      else if (f32ToF16Bits(f) !== h) expect.fail(`f16 0x${h.toString(16)} → ${f} → 0x${f32ToF16Bits(f).toString(16)}`);
      const g = bf16BitsToF32(h);
      if (isNaNBf16(h)) expect(isNaNBf16(f32ToBf16Bits(g))).toBe(true);
      else if (f32ToBf16Bits(g) !== h) expect.fail(`bf16 0x${h.toString(16)} → ${g} → 0x${f32ToBf16Bits(g).toString(16)}`);
    }
  });

  it('convertHostArray f16 → bf16 equals decoding then rounding, for all 65536 patterns', () => {
    const all = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    const out = convertHostArray(all, 'f16', 'bf16') as Uint16Array;
    for (let h = 0; h < 0x10000; h++) {
      if (isNaNHalf(h)) expect(isNaNBf16(out[h]!)).toBe(true);
      else if (out[h] !== nearestBf16(f16BitsToF32(h))) expect.fail(`f16 0x${h.toString(16)} → bf16 0x${out[h]!.toString(16)}`);
    }
  });

  it('float → int conversions truncate toward zero; → bool is x ≠ 0', () => {
    const f = new Float32Array([2.9, -2.9, 0.5, -0.5, 0, 1e9]);
    expect([...(convertHostArray(f, 'f32', 'i32') as Int32Array)]).toEqual([2, -2, 0, 0, 0, 1e9]);
    expect([...(convertHostArray(f, 'f32', 'bool') as Uint8Array)]).toEqual([1, 1, 1, 1, 0, 1]);
  });
});
