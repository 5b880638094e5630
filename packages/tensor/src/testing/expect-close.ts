/**
 * `expectClose`: the one elementwise comparison every evejs package uses for numerics. Elements
 * pass when |a − r| ≤ atol + rtol·|r| (torch.testing.assert_close's rule); NaN matches NaN and
 * ±∞ must match exactly. A failure names the label, how many elements missed, the worst absolute
 * and relative error with their flat indices, and the relative L2 and max-abs error of the whole
 * array, so a glance tells "one bad element" from "everything is a bit off".
 */

/** Summary errors of `actual` against `expected` over finite elements. */
export interface CompareStats {
  /** ‖a − r‖₂ / ‖r‖₂ (0 when both are zero; ∞ when only the reference is zero). */
  relL2: number;
  /** max |a − r|. */
  maxAbs: number;
}

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** Names what is compared in the failure message (op, case, input). */
  label?: string;
}

/** Relative L2 and max absolute error over the elements where both values are finite. */
export function compareStats(actual: ArrayLike<number>, expected: ArrayLike<number>): CompareStats {
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const r = expected[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(r)) continue;
    const d = Math.abs(a - r);
    num += d * d;
    den += r * r;
    if (d > maxAbs) maxAbs = d;
  }
  const relL2 = den === 0 ? (num === 0 ? 0 : Infinity) : Math.sqrt(num / den);
  return { relL2, maxAbs };
}

/**
 * Throws an Error describing every mismatch if `actual` is not close to `expected`.
 * Defaults are f32's (rtol 1.3e-6, atol 1e-5); pass `toleranceFor(dtype)` for others.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: CloseOptions = {}): void {
  const rtol = opts.rtol ?? 1.3e-6;
  const atol = opts.atol ?? 1e-5;
  const label = opts.label ? `${opts.label}: ` : '';
  if (actual.length !== expected.length) {
    throw new Error(`${label}length ${actual.length} differs from expected length ${expected.length}`);
  }
  let missed = 0;
  let worstAbs = -1;
  let worstAbsAt = -1;
  let worstRel = -1;
  let worstRelAt = -1;
  let firstNonFiniteAt = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const r = expected[i]!;
    if (Number.isNaN(r) || Number.isNaN(a) || !Number.isFinite(r) || !Number.isFinite(a)) {
      // NaN matches NaN; infinities must be equal (same sign).
      const ok = (Number.isNaN(a) && Number.isNaN(r)) || a === r;
      if (!ok) {
        missed++;
        if (firstNonFiniteAt < 0) firstNonFiniteAt = i;
      }
      continue;
    }
    const d = Math.abs(a - r);
    if (d <= atol + rtol * Math.abs(r)) continue;
    missed++;
    const rel = r === 0 ? Infinity : d / Math.abs(r);
    if (d > worstAbs) {
      worstAbs = d;
      worstAbsAt = i;
    }
    if (rel > worstRel) {
      worstRel = rel;
      worstRelAt = i;
    }
  }
  if (missed === 0) return;
  const { relL2, maxAbs } = compareStats(actual, expected);
  const lines = [`${label}${missed} of ${actual.length} elements are not close (rtol ${rtol}, atol ${atol})`];
  if (worstAbsAt >= 0) {
    lines.push(`  worst absolute error ${fmt(worstAbs)} at index ${worstAbsAt} (actual ${actual[worstAbsAt]}, expected ${expected[worstAbsAt]})`);
    lines.push(`  worst relative error ${fmt(worstRel)} at index ${worstRelAt} (actual ${actual[worstRelAt]}, expected ${expected[worstRelAt]})`);
  }
  if (firstNonFiniteAt >= 0) {
    lines.push(`  non-finite mismatch at index ${firstNonFiniteAt} (actual ${actual[firstNonFiniteAt]}, expected ${expected[firstNonFiniteAt]})`);
  }
  lines.push(`  relative L2 error ${fmt(relL2)}, max abs error ${fmt(maxAbs)}`);
  throw new Error(lines.join('\n'));
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(3) : String(x);
}
