/**
 * Scalar math the CPU kernels need and JavaScript lacks: erf, in double precision
 * (Taylor series near 0, Lentz-free backward continued fraction for erfc in the tails).
 * Accurate to ~1e-14 absolute, far below f32 resolution, so it also serves as the tests' reference.
 */
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  if (z < 2) {
    // erf(z) = 2/√π Σ (−1)ⁿ z^(2n+1) / (n! (2n+1))
    let term = z;
    let s = z;
    const z2 = z * z;
    for (let n = 1; n < 80; n++) {
      term *= -z2 / n;
      const add = term / (2 * n + 1);
      s += add;
      if (Math.abs(add) < 1e-17 * Math.abs(s)) break;
    }
    return Math.sign(x) * TWO_OVER_SQRT_PI * s;
  }
  if (z > 6) return Math.sign(x);
  // erfc(z) = e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …)))))
  let f = z;
  for (let n = 80; n >= 1; n--) f = z + n / 2 / f;
  const erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
