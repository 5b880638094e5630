/**
 * The op conformance cases: every op, forward against its float64 reference and (where it has a
 * gradient) backward against finite differences of that reference. Shapes avoid multiples of
 * typical tile sizes (1, 3, 5, 17, 33, 65, 129), and the cases cover broadcasting, transposed and
 * sliced (non-contiguous) inputs, size-1 and empty dimensions, and extremes.
 *
 * Each case names the kernels it needs, so a backend lacking one reports the case as skipped
 * ("no <backend> kernel") instead of passing it. To add an op: add its cases here (name starts
 * with the op's name), with a reference in reference.ts. Append new cases at the end: a case's
 * seed is its index (conformance.ts), so one inserted in the middle gives every later case new
 * inputs (tolerances set at the f32 limit, like layerNorm's large-mean case, then move).
 */
import type { DType } from '../dtype.js';
import * as ops from '../ops/index.js';
import { f16BitsToF32 } from '../dtype.js';
import { quantizeHost, type QuantFormat } from '../quantize.js';
import type { Tensor } from '../tensor.js';
import { as, type TestInput } from './from-nd.js';
import { type Nd, nd } from './nd.js';
import { randomArray, randomInts, type Rng, roundTo } from './random-array.js';
import * as ref from './reference.js';
import { DTYPE_TOLERANCES, type Tolerance } from './tolerances.js';

export interface ConformanceCase {
  /** "<op>: <what is special>"; the op's one name comes first. */
  readonly name: string;
  /** Kernel names the case runs (view ops need none). */
  readonly kernels: readonly string[];
  /** Fresh seeded inputs. */
  readonly inputs: (rng: Rng) => TestInput[];
  readonly run: (...xs: Tensor[]) => Tensor;
  readonly ref: (...xs: Nd[]) => Nd;
  /** The output dtype (default f32); the reference is rounded to it before comparing. */
  readonly outDType?: DType;
  /** Inputs whose gradients are checked; absent: forward only. */
  readonly wrt?: readonly number[];
  /** Forward tolerance if not the output dtype's default; the reason sits beside the number. */
  readonly tol?: Tolerance;
  /** Gradient tolerance if not GRAD_TOLERANCE. */
  readonly gradTol?: Tolerance;
}

const U = (shape: number[], low = -1, high = 1) => (rng: Rng) => randomArray(shape, rng, { low, high });
/** Values with |x| in [0.2, 2]: away from the kinks of abs/max/min and the pole of div. */
const awayFromZero = (shape: number[]) => (rng: Rng) => {
  const x = randomArray(shape, rng, { low: 0.2, high: 2 });
  for (let i = 0; i < x.data.length; i++) if (rng.uniform() < 0.5) x.data[i] = -x.data[i]!;
  return x;
};
const lit = (shape: number[], values: number[]): Nd => nd(shape, values);

const cases: ConformanceCase[] = [];
const add = (c: ConformanceCase): void => void cases.push(c);

// ---------------------------------------------------------------- unary

const UNARY_DOMAIN: Record<string, [number, number]> = {
  log: [0.05, 4],
  sqrt: [0.05, 4],
  rsqrt: [0.05, 4],
  exp: [-4, 4],
};
for (const name of ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'erf', 'sigmoid', 'silu', 'gelu', 'geluTanh'] as const) {
  const f = ops[name] as (x: Tensor) => Tensor;
  const dom = UNARY_DOMAIN[name] ?? [-4, 4];
  const gen = name === 'abs' ? awayFromZero([3, 17]) : U([3, 17], dom[0], dom[1]);
  add({ name: `${name}: [3, 17]`, kernels: [name], inputs: (r) => [gen(r)], run: f, ref: (x) => ref.unaryRef(name, x), wrt: [0] });
  add({
    name: `${name}: transposed view [17, 3]ᵀ`,
    kernels: [name],
    inputs: (r) => [gen(r)],
    run: (x) => f(ops.transpose(x)),
    ref: (x) => ref.unaryRef(name, ref.transposeRef(x)),
    wrt: [0],
  });
}
add({ name: 'neg: i32', kernels: ['neg'], inputs: (r) => [as(randomInts([33], 200, r), 'i32')], run: ops.neg, ref: (x) => ref.unaryRef('neg', x), outDType: 'i32' });
add({ name: 'abs: i32', kernels: ['abs'], inputs: () => [as(lit([5], [-7, 0, 3, -2147483647, 12]), 'i32')], run: ops.abs, ref: (x) => ref.unaryRef('abs', x), outDType: 'i32' });
add({
  name: 'abs: empty [0, 3]',
  kernels: ['abs'],
  inputs: () => [nd([0, 3])],
  run: ops.abs,
  ref: (x) => ref.unaryRef('abs', x),
});
for (const p of [2, 3, 0.5, -1.5]) {
  add({
    name: `pow: exponent ${p}`,
    kernels: ['pow'],
    inputs: p === 2 || p === 3 ? (r) => [randomArray([5, 17], r, { low: -2, high: 2 })] : (r) => [randomArray([5, 17], r, { low: 0.1, high: 3 })],
    run: (x) => ops.pow(x, p),
    ref: (x) => ref.powRef(x, p),
    wrt: [0],
  });
}
add({
  name: 'log: extremes (0 → −∞, negative → NaN, tiny, huge)',
  kernels: ['log'],
  inputs: () => [lit([6], [0, -1, 1e-30, 1.1754943508222875e-38, 3.4e38, 1])],
  run: ops.log,
  ref: (x) => ref.unaryRef('log', x),
});
add({
  name: 'exp: extremes (overflow → ∞, underflow → 0)',
  kernels: ['exp'],
  inputs: () => [lit([5], [100, -200, 88, -87, 0])],
  run: ops.exp,
  ref: (x) => ref.unaryRef('exp', x),
  // exp(88) ≈ 1.65e38 has an ulp of ~2e31: compare relatively (f32 rtol) but f32 exp may be a few ulps off.
  tol: { rtol: 1e-6 * 4, atol: 1e-5 },
});
add({
  name: 'sigmoid: extremes (±100, ±20)',
  kernels: ['sigmoid', 'silu', 'tanh', 'gelu', 'geluTanh'],
  inputs: () => [lit([5], [-100, -20, 0, 20, 100])],
  run: (x) => ops.stack([ops.sigmoid(x), ops.silu(x), ops.tanh(x), ops.gelu(x), ops.geluTanh(x)]),
  ref: (x) => ref.stackRef(['sigmoid', 'silu', 'tanh', 'gelu', 'geluTanh'].map((n) => ref.unaryRef(n, x)), 0),
});

// ---------------------------------------------------------------- binary, with broadcasting

const BINARY_SHAPES: [string, number[], number[]][] = [
  ['same shape [3, 17]', [3, 17], [3, 17]],
  ['row broadcast [17, 33] and [33]', [17, 33], [33]],
  ['both broadcast [3, 1, 5] and [4, 1]', [3, 1, 5], [4, 1]],
  ['scalar [] and [3, 17]', [], [3, 17]],
  ['size-1 [1] and [65]', [1], [65]],
];
for (const name of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const) {
  const f = ops[name] as (a: Tensor, b: Tensor) => Tensor;
  const r2 = (a: Nd, b: Nd) => ref.binaryRef(name, a, b);
  const genA = name === 'div' ? awayFromZero : (s: number[]) => U(s, -2, 2);
  const genB = name === 'div' ? awayFromZero : (s: number[]) => U(s, -2, 2);
  for (const [what, sa, sb] of BINARY_SHAPES) {
    add({ name: `${name}: ${what}`, kernels: [name], inputs: (r) => [genA(sa)(r), genB(sb)(r)], run: f, ref: r2, wrt: [0, 1] });
  }
  add({
    name: `${name}: transposed a, sliced b`,
    kernels: [name],
    inputs: (r) => [genA([17, 5])(r), genB([7, 19])(r)],
    run: (a, b) => f(ops.transpose(a), ops.slice(b, [2, 1], [5, 17])),
    ref: (a, b) => r2(ref.transposeRef(a), ref.sliceRef(b, [2, 1], [5, 17])),
    wrt: [0, 1],
  });
  add({ name: `${name}: empty [0, 3] and [3]`, kernels: [name], inputs: (r) => [nd([0, 3]), genB([3])(r)], run: f, ref: r2 });
}
add({
  name: 'add: i32 broadcast',
  kernels: ['add'],
  inputs: (r) => [as(randomInts([3, 5], 100, r), 'i32'), as(randomInts([5], 100, r), 'i32')],
  run: ops.add,
  ref: (a, b) => ref.binaryRef('add', a, b),
  outDType: 'i32',
});
add({
  name: 'div: by zero and of infinities',
  kernels: ['div'],
  inputs: () => [lit([4], [1, -1, 0, Infinity]), lit([4], [0, 0, 0, Infinity])],
  run: ops.div,
  ref: (a, b) => ref.binaryRef('div', a, b),
});
add({
  name: 'maximum: NaN propagates',
  kernels: ['maximum', 'minimum'],
  inputs: () => [lit([3], [NaN, 1, 2]), lit([3], [0, NaN, -Infinity])],
  run: (a, b) => ops.stack([ops.maximum(a, b), ops.minimum(a, b)]),
  ref: (a, b) => ref.stackRef([ref.binaryRef('maximum', a, b), ref.binaryRef('minimum', a, b)], 0),
});

// Comparisons: inputs share some exactly equal values so ties are exercised.
const withTies = (shape: number[]) => (rng: Rng) => {
  const x = randomArray(shape, rng, { low: -2, high: 2 });
  for (let i = 0; i < x.data.length; i += 3) x.data[i] = Math.round(x.data[i]!);
  return x;
};
for (const name of ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'] as const) {
  const f = ops[name] as (a: Tensor, b: Tensor) => Tensor;
  add({
    name: `${name}: broadcast [3, 17] and [17] with ties`,
    kernels: [name],
    inputs: (r) => [withTies([3, 17])(r), withTies([17])(r)],
    run: f,
    ref: (a, b) => ref.binaryRef(name, a, b),
    outDType: 'bool',
  });
  add({
    name: `${name}: i32, transposed`,
    kernels: [name],
    inputs: (r) => [as(randomInts([5, 3], 4, r), 'i32'), as(randomInts([3, 5], 4, r), 'i32')],
    run: (a, b) => f(ops.transpose(a), b),
    ref: (a, b) => ref.binaryRef(name, ref.transposeRef(a), b),
    outDType: 'bool',
  });
}

// ---------------------------------------------------------------- where, maskedFill, cast

const mask = (shape: number[]) => (rng: Rng) => as(randomInts(shape, 2, rng), 'bool');
add({
  name: 'where: broadcast cond [3, 1], a [3, 17], b [17]',
  kernels: ['where'],
  inputs: (r) => [mask([3, 1])(r), U([3, 17])(r), U([17])(r)],
  run: ops.where,
  ref: ref.whereRef,
  wrt: [1, 2],
});
add({
  name: 'where: i32 values, cond [5, 3] transposed',
  kernels: ['where'],
  inputs: (r) => [mask([5, 3])(r), as(randomInts([3, 5], 9, r), 'i32'), as(randomInts([3, 5], 9, r), 'i32')],
  run: (c, a, b) => ops.where(ops.transpose(c), a, b),
  ref: (c, a, b) => ref.whereRef(ref.transposeRef(c), a, b),
  outDType: 'i32',
});
add({
  name: 'maskedFill: causal mask with −∞ then softmax',
  kernels: ['where', 'softmax'],
  inputs: (r) => [U([5, 5], -3, 3)(r), as(nd([5, 5], Array.from({ length: 25 }, (_, i) => +(i % 5 > Math.floor(i / 5)))), 'bool')],
  run: (x, m) => ops.softmax(ops.maskedFill(x, m, -Infinity)),
  ref: (x, m) => ref.softmaxRef(ref.whereRef(m, nd([], [-Infinity]), x)),
  wrt: [0],
});
add({
  name: 'maskedFill: [2, 3, 17] with mask [3, 1]',
  kernels: ['where'],
  inputs: (r) => [U([2, 3, 17])(r), mask([3, 1])(r)],
  run: (x, m) => ops.maskedFill(x, m, 0.5),
  ref: (x, m) => ref.whereRef(m, nd([], [0.5]), x),
  wrt: [0],
});
const CAST_VALUES = [0, -0, 1.5, -2.5, 65504, 65520, 1e-8, -3.4e38, 7.99, -7.99, 0.1, Infinity, -Infinity, NaN, 3.0000002];
for (const [from, to] of [
  ['f32', 'f16'],
  ['f32', 'bf16'],
  ['f32', 'i32'],
  ['f16', 'f32'],
  ['bf16', 'f32'],
  ['f16', 'bf16'],
  ['i32', 'f32'],
  ['bool', 'f32'],
  ['f32', 'bool'],
] as [DType, DType][]) {
  const intish = from === 'i32' || from === 'bool' || to === 'i32';
  add({
    name: `cast: ${from} → ${to}`,
    kernels: ['cast'],
    inputs: (r) => {
      const x = intish ? (from === 'bool' ? randomInts([17], 2, r) : randomArray([17], r, { low: -100, high: 100 })) : lit([CAST_VALUES.length], CAST_VALUES);
      if (from === 'i32') x.data.forEach((v, i) => (x.data[i] = Math.trunc(v)));
      if (from === 'f16' || from === 'bf16') x.data.forEach((v, i) => (x.data[i] = roundTo(v, from)));
      return [as(x, from)];
    },
    run: (x) => ops.cast(x, to),
    ref: (x) => ref.mapRef(x, to === 'i32' ? Math.trunc : to === 'bool' ? (v) => +(v !== 0) : (v) => v),
    outDType: to,
    tol: { rtol: 0, atol: 0 }, // casts are exact: the reference is rounded to the output dtype first
  });
}

// ---------------------------------------------------------------- matmul

for (const [ta, tb] of [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const) {
  add({
    name: `matmul: [17, 33]${ta ? 'ᵀ' : ''} × [33, 5]${tb ? 'ᵀ' : ''}`,
    kernels: ['matmul'],
    inputs: (r) => [U(ta ? [33, 17] : [17, 33])(r), U(tb ? [5, 33] : [33, 5])(r)],
    run: (a, b) => ops.matmul(a, b, { transposeA: ta, transposeB: tb }),
    ref: (a, b) => ref.matmulRef(a, b, { transposeA: ta, transposeB: tb }),
  });
  add({
    name: `matmul: batched [2, 3, 7]${ta ? 'ᵀ' : ''} × [2, 7, 5]${tb ? 'ᵀ' : ''}`,
    kernels: ['matmul'],
    inputs: (r) => [U(ta ? [2, 7, 3] : [2, 3, 7])(r), U(tb ? [2, 5, 7] : [2, 7, 5])(r)],
    run: (a, b) => ops.matmul(a, b, { transposeA: ta, transposeB: tb }),
    ref: (a, b) => ref.matmulRef(a, b, { transposeA: ta, transposeB: tb }),
    wrt: [0, 1],
  });
}
add({
  name: 'matmul: broadcast batch [2, 1, 3, 5] × [3, 5, 4]',
  kernels: ['matmul'],
  inputs: (r) => [U([2, 1, 3, 5])(r), U([3, 5, 4])(r)],
  run: (a, b) => ops.matmul(a, b),
  ref: (a, b) => ref.matmulRef(a, b),
  wrt: [0, 1],
});
// A linear layer on a batch of sequences: matmul folds the batch into the rows, and the shared
// matrix's gradient is one product over every batch's rows.
for (const tb of [false, true]) {
  add({
    name: `matmul: batched [2, 3, 4, 7] × one shared [7, 5]${tb ? 'ᵀ' : ''}`,
    kernels: ['matmul'],
    inputs: (r) => [U([2, 3, 4, 7])(r), U(tb ? [5, 7] : [7, 5])(r)],
    run: (a, b) => ops.matmul(a, b, { transposeB: tb }),
    ref: (a, b) => ref.matmulRef(a, b, { transposeB: tb }),
    wrt: [0, 1],
  });
}
add({
  name: 'matmul: long inner dim [3, 129] × [129, 65]',
  kernels: ['matmul'],
  inputs: (r) => [U([3, 129])(r), U([129, 65])(r)],
  run: (a, b) => ops.matmul(a, b),
  ref: (a, b) => ref.matmulRef(a, b),
  // A 129-term f32 dot product of O(1) terms: rounding error grows ~√K·eps·Σ|ab| ≈ 1e-6 absolute.
  tol: { rtol: 1e-5, atol: 1e-5 },
});
add({
  name: 'matmul: size-1 dims [1, 17] × [17, 1]',
  kernels: ['matmul'],
  inputs: (r) => [U([1, 17])(r), U([17, 1])(r)],
  run: (a, b) => ops.matmul(a, b),
  ref: (a, b) => ref.matmulRef(a, b),
  wrt: [0, 1],
});
add({
  name: 'matmul: empty inner dim [3, 0] × [0, 5] gives zeros',
  kernels: ['matmul'],
  inputs: () => [nd([3, 0]), nd([0, 5])],
  run: (a, b) => ops.matmul(a, b),
  ref: (a, b) => ref.matmulRef(a, b),
});
add({
  name: 'matmul: sliced and transposed views as inputs',
  kernels: ['matmul'],
  inputs: (r) => [U([5, 19])(r), U([9, 7])(r)],
  run: (a, b) => ops.matmul(ops.slice(a, [1, 2], [3, 7]), ops.transpose(ops.slice(b, [1, 0], [5, 7]))),
  ref: (a, b) => ref.matmulRef(ref.sliceRef(a, [1, 2], [3, 7]), ref.transposeRef(ref.sliceRef(b, [1, 0], [5, 7]))),
  wrt: [0, 1],
});
for (const dt of ['f16', 'bf16'] as const) {
  add({
    name: `matmul: ${dt} weight, transposeB [3, 17] × [5, 17]ᵀ`,
    kernels: ['matmul'],
    inputs: (r) => [U([3, 17])(r), as(randomArray([5, 17], r, { dtype: dt }), dt)],
    run: (a, b) => ops.matmul(a, b, { transposeB: true }),
    ref: (a, b) => ref.matmulRef(a, b, { transposeB: true }),
    wrt: [0, 1],
    gradTol: DTYPE_TOLERANCES[dt], // the weight's gradient is stored in the weight's dtype
  });
}

// ---------------------------------------------------------------- reductions

const REDUCE_AXES: [string, number[], number[] | undefined, boolean][] = [
  ['all axes', [3, 17], undefined, false],
  ['axis 0 keepDims', [3, 17], [0], true],
  ['axis -1', [5, 33], [-1], false],
  ['axes [0, 2] of [3, 5, 7]', [3, 5, 7], [0, 2], false],
  ['axis 1 keepDims of [2, 17, 3]', [2, 17, 3], [1], true],
  ['size-1 axis [3, 1, 5]', [3, 1, 5], [1], false],
];
for (const name of ['sum', 'mean', 'max'] as const) {
  const f = ops[name];
  const r1 = name === 'sum' ? ref.sumRef : name === 'mean' ? ref.meanRef : ref.maxRef;
  for (const [what, shape, axes, keep] of REDUCE_AXES) {
    add({
      name: `${name}: ${what}`,
      kernels: [name === 'mean' ? 'sum' : name, ...(name === 'mean' ? ['mul'] : [])],
      inputs: (r) => [U(shape)(r)],
      run: (x) => f(x, axes, keep),
      ref: (x) => r1(x, axes, keep),
      wrt: [0],
    });
  }
  add({
    name: `${name}: transposed input, axis 0`,
    kernels: [name === 'mean' ? 'sum' : name, 'contiguous', ...(name === 'mean' ? ['mul'] : [])],
    inputs: (r) => [U([5, 17])(r)],
    run: (x) => f(ops.transpose(x), 0),
    ref: (x) => r1(ref.transposeRef(x), [0]),
    wrt: [0],
  });
}
add({
  name: 'sum: long reduction of 8385 positive values',
  kernels: ['sum'],
  inputs: (r) => [U([129, 65], 0, 1)(r)],
  run: (x) => ops.sum(x),
  ref: (x) => ref.sumRef(x),
  // An f32 sum of n positive terms may be off by up to ~log2(n)·eps (pairwise) or n·eps (serial) relatively.
  tol: { rtol: 1e-4, atol: 1e-5 },
});
add({ name: 'sum: empty axis [0, 3] → zeros [3]', kernels: ['sum'], inputs: () => [nd([0, 3])], run: (x) => ops.sum(x, 0), ref: (x) => ref.sumRef(x, [0]) });
add({
  name: 'sum: i32',
  kernels: ['sum'],
  inputs: (r) => [as(randomInts([3, 17], 1000, r), 'i32')],
  run: (x) => ops.sum(x, -1),
  ref: (x) => ref.sumRef(x, [-1]),
  outDType: 'i32',
});
add({
  name: 'max: with −∞ entries',
  kernels: ['max'],
  inputs: () => [lit([2, 3], [-Infinity, -Infinity, -Infinity, -Infinity, 2, -1])],
  run: (x) => ops.max(x, -1),
  ref: (x) => ref.maxRef(x, [-1]),
});
for (const [what, shape, axis] of [
  ['axis -1 of [5, 33]', [5, 33], -1],
  ['axis 0 of [17, 3]', [17, 3], 0],
  ['axis 1 of [2, 17, 3]', [2, 17, 3], 1],
] as [string, number[], number][]) {
  add({
    name: `argmax: ${what}`,
    kernels: ['argmax'],
    inputs: (r) => [U(shape)(r)],
    run: (x) => ops.argmax(x, axis),
    ref: (x) => ref.argmaxRef(x, axis),
    outDType: 'i32',
  });
}
add({
  name: 'argmax: ties pick the first',
  kernels: ['argmax'],
  inputs: () => [lit([2, 4], [1, 3, 3, 0, -1, -1, -1, -1])],
  run: (x) => ops.argmax(x),
  ref: (x) => ref.argmaxRef(x, -1),
  outDType: 'i32',
});

// ---------------------------------------------------------------- softmax

for (const name of ['softmax', 'logSoftmax'] as const) {
  const f = ops[name];
  const r1 = name === 'softmax' ? ref.softmaxRef : ref.logSoftmaxRef;
  add({ name: `${name}: last axis [3, 17]`, kernels: [name], inputs: (r) => [U([3, 17], -3, 3)(r)], run: (x) => f(x), ref: (x) => r1(x), wrt: [0] });
  add({ name: `${name}: axis 0 [33, 3]`, kernels: [name], inputs: (r) => [U([33, 3], -3, 3)(r)], run: (x) => f(x, 0), ref: (x) => r1(x, 0), wrt: [0] });
  add({ name: `${name}: axis 1 of [2, 5, 3]`, kernels: [name], inputs: (r) => [U([2, 5, 3], -3, 3)(r)], run: (x) => f(x, 1), ref: (x) => r1(x, 1), wrt: [0] });
  add({ name: `${name}: size-1 axis [3, 1]`, kernels: [name], inputs: (r) => [U([3, 1])(r)], run: (x) => f(x), ref: (x) => r1(x), wrt: [0] });
  add({
    name: `${name}: large logits (±1e4, overflow-safe)`,
    kernels: [name],
    inputs: (r) => [U([3, 65], -1e4, 1e4)(r)],
    run: (x) => f(x),
    ref: (x) => r1(x),
    // logSoftmax values reach ~2e4; f32 spacing there is ~2e-3, so the bound must be relative.
    tol: name === 'logSoftmax' ? { rtol: 1e-6, atol: 1e-5 } : undefined,
  });
  add({
    name: `${name}: transposed input`,
    kernels: [name],
    inputs: (r) => [U([17, 3], -3, 3)(r)],
    run: (x) => f(ops.transpose(x)),
    ref: (x) => r1(ref.transposeRef(x)),
    wrt: [0],
  });
}

// ---------------------------------------------------------------- norms, rope

add({
  name: 'layerNorm: [3, 17]',
  kernels: ['layerNorm'],
  inputs: (r) => [U([3, 17], -2, 2)(r), U([17], 0.5, 1.5)(r), U([17])(r)],
  run: (x, w, b) => ops.layerNorm(x, w, b),
  ref: (x, w, b) => ref.layerNormRef(x, w, b),
  wrt: [0, 1, 2],
});
add({
  name: 'layerNorm: [2, 3, 65], eps 1e-6',
  kernels: ['layerNorm'],
  inputs: (r) => [U([2, 3, 65], -2, 2)(r), U([65], 0.5, 1.5)(r), U([65])(r)],
  run: (x, w, b) => ops.layerNorm(x, w, b, 1e-6),
  ref: (x, w, b) => ref.layerNormRef(x, w, b, 1e-6),
});
add({
  name: 'layerNorm: large mean offset (1000 + noise)',
  kernels: ['layerNorm'],
  inputs: (r) => [U([3, 33], 999, 1001)(r), U([33], 0.5, 1.5)(r), U([33])(r)],
  run: (x, w, b) => ops.layerNorm(x, w, b),
  ref: (x, w, b) => ref.layerNormRef(x, w, b),
  // The mean of values near 1000 is only known to f32 spacing there (~6e-5), and a kernel that
  // also sums in f32 (GPU kernels do) adds the rounding of a running sum near 33000 (spacing
  // ~4e-3, ~1e-4 on the mean after 33 adds, more in the worst case); divided by a standard
  // deviation of ~0.6 and scaled by w ≤ 1.5, that is a few 1e-4 absolute. Measured: gpu.js up
  // to 4.2e-4 on some seeds; 1e-3 leaves room without hiding a wrong mean or variance (O(1) errors).
  tol: { rtol: 1e-4, atol: 1e-3 },
});
add({
  name: 'layerNorm: transposed input',
  kernels: ['layerNorm', 'contiguous'],
  inputs: (r) => [U([17, 3], -2, 2)(r), U([17], 0.5, 1.5)(r), U([17])(r)],
  run: (x, w, b) => ops.layerNorm(ops.transpose(x), w, b),
  ref: (x, w, b) => ref.layerNormRef(ref.transposeRef(x), w, b),
  wrt: [0, 1, 2],
});
add({
  name: 'rmsNorm: [3, 17]',
  kernels: ['rmsNorm'],
  inputs: (r) => [U([3, 17], -2, 2)(r), U([17], 0.5, 1.5)(r)],
  run: (x, w) => ops.rmsNorm(x, w),
  ref: (x, w) => ref.rmsNormRef(x, w),
  wrt: [0, 1],
});
add({
  name: 'rmsNorm: [2, 5, 129], eps 1e-5',
  kernels: ['rmsNorm'],
  inputs: (r) => [U([2, 5, 129], -2, 2)(r), U([129], 0.5, 1.5)(r)],
  run: (x, w) => ops.rmsNorm(x, w, 1e-5),
  ref: (x, w) => ref.rmsNormRef(x, w, 1e-5),
});
add({
  name: 'rmsNorm: sliced input',
  kernels: ['rmsNorm', 'contiguous'],
  inputs: (r) => [U([5, 19], -2, 2)(r), U([17], 0.5, 1.5)(r)],
  run: (x, w) => ops.rmsNorm(ops.slice(x, [1, 1], [3, 17]), w),
  ref: (x, w) => ref.rmsNormRef(ref.sliceRef(x, [1, 1], [3, 17]), w),
  wrt: [0, 1],
});
const ropeInputs = (xShape: number[], t: number, d: number, start: number) => (r: Rng) => {
  const { cos, sin } = ref.ropeTablesRef(start, t, d);
  return [U(xShape)(r), ref.mapRef(cos, Math.fround), ref.mapRef(sin, Math.fround)];
};
add({
  name: 'rope: x [2, 3, 5, 8], cos/sin [5, 8]',
  kernels: ['rope'],
  inputs: ropeInputs([2, 3, 5, 8], 5, 8, 0),
  run: ops.rope,
  ref: ref.ropeRef,
  wrt: [0],
});
add({
  name: 'rope: decoding position 1000, x [1, 3, 1, 6]',
  kernels: ['rope'],
  inputs: ropeInputs([1, 3, 1, 6], 1, 6, 1000),
  run: ops.rope,
  ref: ref.ropeRef,
  wrt: [0],
});
add({
  name: 'rope: transposed x [2, 5, 3, 4] → [2, 3, 5, 4]',
  kernels: ['rope', 'contiguous'],
  inputs: ropeInputs([2, 5, 3, 4], 5, 4, 7),
  run: (x, c, s) => ops.rope(ops.transpose(x, 1, 2), c, s),
  ref: (x, c, s) => ref.ropeRef(ref.permuteRef(x, [0, 2, 1, 3]), c, s),
  wrt: [0],
});

// ---------------------------------------------------------------- views and assembly

add({
  name: 'reshape: of a transposed view (copies)',
  kernels: ['contiguous'],
  inputs: (r) => [U([3, 17])(r)],
  run: (x) => ops.reshape(ops.transpose(x), [17, 3]),
  ref: (x) => ref.reshapeRef(ref.transposeRef(x), [17, 3]),
  wrt: [0],
});
add({
  name: 'reshape: -1 and size-1 dims',
  kernels: ['mul'],
  inputs: (r) => [U([3, 5, 4])(r)],
  run: (x) => ops.mul(ops.reshape(x, [1, -1, 4, 1]), 2),
  ref: (x) => ref.mapRef(ref.reshapeRef(x, [1, 15, 4, 1]), (v) => 2 * v),
  wrt: [0],
});
add({
  name: 'permute: [2, 3, 5] by [2, 0, 1]',
  kernels: ['contiguous'],
  inputs: (r) => [U([2, 3, 5])(r)],
  run: (x) => ops.contiguous(ops.permute(x, [2, 0, 1])),
  ref: (x) => ref.permuteRef(x, [2, 0, 1]),
  wrt: [0],
});
add({
  name: 'transpose: axes 0 and 2 of [3, 5, 7]',
  kernels: ['contiguous'],
  inputs: (r) => [U([3, 5, 7])(r)],
  run: (x) => ops.contiguous(ops.transpose(x, 0, 2)),
  ref: (x) => ref.permuteRef(x, [2, 1, 0]),
  wrt: [0],
});
add({
  name: 'slice: negative begin, size -1',
  kernels: ['contiguous', 'pad'],
  inputs: (r) => [U([5, 17])(r)],
  run: (x) => ops.contiguous(ops.slice(x, [1, -7], [3, -1])),
  ref: (x) => ref.sliceRef(x, [1, 10], [3, 7]),
  wrt: [0],
});
add({
  name: 'sliceAxis: middle of axis 1 of [3, 17, 2]',
  kernels: ['contiguous', 'pad'],
  inputs: (r) => [U([3, 17, 2])(r)],
  run: (x) => ops.contiguous(ops.sliceAxis(x, 1, 4, 9)),
  ref: (x) => ref.sliceRef(x, [0, 4, 0], [3, 5, 2]),
  wrt: [0],
});
add({
  name: 'broadcastTo: [3, 1] → [2, 3, 17]',
  kernels: ['contiguous', 'sum'],
  inputs: (r) => [U([3, 1])(r)],
  run: (x) => ops.contiguous(ops.broadcastTo(x, [2, 3, 17])),
  ref: (x) => ref.broadcastToRef(x, [2, 3, 17]),
  wrt: [0],
});
add({
  name: 'squeeze/unsqueeze: [3, 1, 5] round trip',
  kernels: ['mul'],
  inputs: (r) => [U([3, 1, 5])(r)],
  run: (x) => ops.unsqueeze(ops.mul(ops.squeeze(x), 3), 0),
  ref: (x) => ref.mapRef(ref.reshapeRef(x, [1, 3, 5]), (v) => 3 * v),
  wrt: [0],
});
add({
  name: 'contiguous: sliced and transposed view',
  kernels: ['contiguous'],
  inputs: (r) => [U([7, 9])(r)],
  run: (x) => ops.contiguous(ops.transpose(ops.slice(x, [2, 1], [3, 5]))),
  ref: (x) => ref.transposeRef(ref.sliceRef(x, [2, 1], [3, 5])),
  wrt: [0],
});
add({
  name: 'concat: three inputs on axis 1, one empty',
  kernels: ['concat'],
  inputs: (r) => [U([3, 2])(r), nd([3, 0]), U([3, 17])(r)],
  run: (a, b, c) => ops.concat([a, b, c], 1),
  ref: (a, b, c) => ref.concatRef([a, b, c], 1),
  wrt: [0, 2],
});
add({
  name: 'concat: axis 0 of transposed views',
  kernels: ['concat', 'contiguous'],
  inputs: (r) => [U([5, 3])(r), U([5, 2])(r)],
  run: (a, b) => ops.concat([ops.transpose(a), ops.transpose(b)], 0),
  ref: (a, b) => ref.concatRef([ref.transposeRef(a), ref.transposeRef(b)], 0),
  wrt: [0, 1],
});
add({
  name: 'concat: i32',
  kernels: ['concat'],
  inputs: (r) => [as(randomInts([2, 3], 50, r), 'i32'), as(randomInts([2, 5], 50, r), 'i32')],
  run: (a, b) => ops.concat([a, b], -1),
  ref: (a, b) => ref.concatRef([a, b], 1),
  outDType: 'i32',
});
add({
  name: 'stack: axis 1 of three [3, 5]',
  kernels: ['concat'],
  inputs: (r) => [U([3, 5])(r), U([3, 5])(r), U([3, 5])(r)],
  run: (a, b, c) => ops.stack([a, b, c], 1),
  ref: (a, b, c) => ref.stackRef([a, b, c], 1),
  wrt: [0, 1, 2],
});
add({
  name: 'pad: [[1, 2], [0, 3]] with 0.5',
  kernels: ['pad'],
  inputs: (r) => [U([3, 5])(r)],
  run: (x) => ops.pad(x, [[1, 2], [0, 3]], 0.5),
  ref: (x) => ref.padRef(x, [[1, 2], [0, 3]], 0.5),
  wrt: [0],
});
add({
  name: 'pad: last axis only of [2, 3, 4], transposed input',
  kernels: ['pad', 'contiguous'],
  inputs: (r) => [U([2, 4, 3])(r)],
  run: (x) => ops.pad(ops.transpose(x), [[2, 1]]),
  ref: (x) => ref.padRef(ref.transposeRef(x), [[0, 0], [0, 0], [2, 1]]),
  wrt: [0],
});

// ---------------------------------------------------------------- index ops

const ids = (shape: number[], n: number) => (r: Rng) => as(randomInts(shape, n, r), 'i32');
add({
  name: 'gather: f32 table [17, 5], ids [3, 4] (repeats)',
  kernels: ['gather', 'scatterAdd'],
  inputs: (r) => [U([17, 5])(r), ids([3, 4], 6)(r)],
  run: ops.gather,
  ref: ref.gatherRef,
  wrt: [0],
});
for (const dt of ['f16', 'bf16'] as const) {
  add({
    name: `gather: ${dt} table [33, 3]`,
    kernels: ['gather', 'scatterAdd', 'cast'],
    inputs: (r) => [as(randomArray([33, 3], r, { dtype: dt }), dt), ids([7], 33)(r)],
    run: ops.gather,
    ref: ref.gatherRef,
    wrt: [0],
    gradTol: DTYPE_TOLERANCES[dt], // the table's gradient is stored in the table's dtype
  });
}
add({
  name: 'gather: i32 table',
  kernels: ['gather'],
  inputs: (r) => [as(randomInts([5, 2], 99, r), 'i32'), ids([4], 5)(r)],
  run: ops.gather,
  ref: ref.gatherRef,
  outDType: 'i32',
});
add({
  name: 'scatterAdd: updates [3, 4, 5] into 17 rows',
  kernels: ['scatterAdd', 'gather'],
  inputs: (r) => [U([3, 4, 5])(r), ids([3, 4], 17)(r)],
  run: (u, i) => ops.scatterAdd(u, i, 17),
  ref: (u, i) => ref.scatterAddRef(u, i, 17),
  wrt: [0],
});
add({
  name: 'oneHot: depth 17, out-of-range ids give zero rows',
  kernels: ['oneHot'],
  inputs: (r) => [as(nd([2, 4], [0, 16, -100, 17, 3, 3, randomInts([1], 17, r).data[0]!, 5]), 'i32')],
  run: (i) => ops.oneHot(i, 17),
  ref: (i) => ref.oneHotRef(i, 17),
});

// ---------------------------------------------------------------- quantised weights

/** A random [rows, cols] matrix quantised on the host: its (quants, scales) as test inputs. */
const quantized = (rows: number, cols: number, format: QuantFormat) => (r: Rng): TestInput[] => {
  const w = randomArray([rows, cols], r, { low: -1, high: 1 });
  const q = quantizeHost(format, rows, cols, (i) => w.data[i]!);
  return [as(nd([rows, q.quants.length / rows], q.quants), 'i32'), as(nd([rows, cols / 32], Array.from(q.scales, f16BitsToF32)), 'f16')];
};
const qm = (quants: Tensor, scales: Tensor, format: QuantFormat) => new ops.QuantizedMatrix(format, quants, scales);
for (const format of ['q8_0', 'q4_0'] as const) {
  add({
    name: `quantizedMatmul: ${format} [2, 3, 96] × [17, 96]ᵀ`,
    kernels: ['quantizedMatmul', 'dequantize', 'matmul'],
    inputs: (r) => [U([2, 3, 96])(r), ...quantized(17, 96, format)(r)],
    run: (x, q, s) => ops.quantizedMatmul(x, qm(q, s, format)),
    ref: (x, q, s) => ref.matmulRef(x, ref.dequantizeRef(q, s, format), { transposeB: true }),
    wrt: [0],
  });
  add({
    name: `quantizedMatmul: ${format} matvec [1, 160] × [65, 160]ᵀ`,
    kernels: ['quantizedMatmul'],
    inputs: (r) => [U([1, 160])(r), ...quantized(65, 160, format)(r)],
    run: (x, q, s) => ops.quantizedMatmul(x, qm(q, s, format)),
    ref: (x, q, s) => ref.matmulRef(x, ref.dequantizeRef(q, s, format), { transposeB: true }),
  });
  add({
    name: `quantizedGather: ${format} table [17, 64], ids [3, 4]`,
    kernels: ['quantizedGather'],
    inputs: (r) => [...quantized(17, 64, format)(r), ids([3, 4], 17)(r)],
    run: (q, s, i) => ops.quantizedGather(qm(q, s, format), i),
    ref: (q, s, i) => ref.gatherRef(ref.dequantizeRef(q, s, format), i),
  });
  add({
    name: `dequantize: ${format} [5, 128]`,
    kernels: ['dequantize'],
    inputs: quantized(5, 128, format),
    run: (q, s) => ops.dequantize(qm(q, s, format)),
    ref: (q, s) => ref.dequantizeRef(q, s, format),
  });
}

// ---------------------------------------------------------------- conv, pooling, losses

add({
  name: 'conv2dPatchify: [2, 3, 9, 11], k 3 (W not divisible), bias',
  kernels: ['matmul', 'add', 'contiguous'],
  inputs: (r) => [U([2, 3, 9, 11])(r), U([4, 3, 3, 3])(r), U([4])(r)],
  run: (x, w, b) => ops.conv2dPatchify(x, w, b),
  ref: (x, w, b) => ref.conv2dRef(x, w, b),
});
add({
  name: 'conv2dPatchify: [1, 2, 5, 7], k 2 (H and W not divisible), gradients',
  kernels: ['matmul', 'add', 'contiguous', 'pad'],
  inputs: (r) => [U([1, 2, 5, 7])(r), U([3, 2, 2, 2])(r), U([3])(r)],
  run: (x, w, b) => ops.conv2dPatchify(x, w, b),
  ref: (x, w, b) => ref.conv2dRef(x, w, b),
  wrt: [0, 1, 2],
});
add({
  name: 'conv2dPatchify: no bias, 4-channel input [1, 4, 6, 6], k 3',
  kernels: ['matmul', 'contiguous'],
  inputs: (r) => [U([1, 4, 6, 6])(r), U([5, 4, 3, 3])(r)],
  run: (x, w) => ops.conv2dPatchify(x, w),
  ref: (x, w) => ref.conv2dRef(x, w),
  wrt: [0, 1],
});
add({
  name: 'avgPool2d: [2, 3, 7, 5], k 2',
  kernels: ['sum', 'mul', 'contiguous', 'pad'],
  inputs: (r) => [U([2, 3, 7, 5])(r)],
  run: (x) => ops.avgPool2d(x, 2),
  ref: (x) => ref.avgPool2dRef(x, 2),
  wrt: [0],
});
const CE_KERNELS = ['logSoftmax', 'oneHot', 'mul', 'sum', 'notEqual', 'cast', 'neg', 'div'];
add({
  name: 'crossEntropy: [5, 17] with one ignored target',
  kernels: CE_KERNELS,
  inputs: (r) => [U([5, 17], -3, 3)(r), as(nd([5], [3, -100, 16, 0, randomInts([1], 17, r).data[0]!]), 'i32')],
  run: (l, t) => ops.crossEntropy(l, t),
  ref: (l, t) => ref.crossEntropyRef(l, t),
  wrt: [0],
});
add({
  name: 'crossEntropy: [2, 3, 7] logits, custom ignoreIndex 0',
  kernels: CE_KERNELS,
  inputs: (r) => [U([2, 3, 7], -3, 3)(r), ids([2, 3], 7)(r)],
  run: (l, t) => ops.crossEntropy(l, t, { ignoreIndex: 0 }),
  ref: (l, t) => ref.crossEntropyRef(l, t, 0),
  wrt: [0],
});
add({
  name: 'crossEntropy: large logits (±1e3)',
  kernels: CE_KERNELS,
  inputs: (r) => [U([4, 33], -1e3, 1e3)(r), ids([4], 33)(r)],
  run: (l, t) => ops.crossEntropy(l, t),
  ref: (l, t) => ref.crossEntropyRef(l, t),
  // Losses of ~1e3 carry f32 spacing ~6e-5 per term.
  tol: { rtol: 1e-5, atol: 1e-4 },
});
add({
  name: 'crossEntropy: all targets ignored gives NaN',
  kernels: CE_KERNELS,
  inputs: (r) => [U([2, 5])(r), as(nd([2], [-100, -100]), 'i32')],
  run: (l, t) => ops.crossEntropy(l, t),
  ref: (l, t) => ref.crossEntropyRef(l, t),
});
add({
  name: 'cosineSimilarity: [3, 17] along the last axis',
  kernels: ['mul', 'sum', 'maximum', 'sqrt', 'div'],
  inputs: (r) => [U([3, 17])(r), U([3, 17])(r)],
  run: (a, b) => ops.cosineSimilarity(a, b),
  ref: (a, b) => ref.cosineSimilarityRef(a, b),
  wrt: [0, 1],
});
add({
  name: 'cosineSimilarity: broadcast b [5], axis 0 of [5, 3] transposed',
  kernels: ['mul', 'sum', 'maximum', 'sqrt', 'div'],
  inputs: (r) => [U([3, 5])(r), U([5, 1])(r)],
  run: (a, b) => ops.cosineSimilarity(ops.transpose(a), b, 0),
  ref: (a, b) => ref.cosineSimilarityRef(ref.transposeRef(a), b, 0),
  wrt: [0, 1],
});
add({
  name: 'cosineSimilarity: zero vector is guarded by eps',
  kernels: ['mul', 'sum', 'maximum', 'sqrt', 'div'],
  inputs: (r) => [nd([2, 5]), U([2, 5])(r)],
  run: (a, b) => ops.cosineSimilarity(a, b),
  ref: (a, b) => ref.cosineSimilarityRef(a, b),
});

// ---------------------------------------------------------------- matmul on batch-strided views
// A KV cache hands out sliceAxis(buffer, 2, 0, len) of a [B, H, maxLen, D] buffer: dense
// matrices, batch axes strided past the unused tail. Kernels read these without a copy, so each
// path is covered: tiny (naive), gemm-sized and matvec-sized (WASM on the CPU), either side.

add({
  name: 'matmul: KV-cache prefix view as b, q × kᵀ [2, 3, 4, 8] × [2, 3, 6 of 13, 8]ᵀ',
  kernels: ['matmul'],
  inputs: (r) => [U([2, 3, 4, 8])(r), U([2, 3, 13, 8])(r)],
  run: (q, k) => ops.matmul(q, ops.sliceAxis(k, 2, 0, 6), { transposeB: true }),
  ref: (q, k) => ref.matmulRef(q, ref.sliceRef(k, [0, 0, 0, 0], [2, 3, 6, 8]), { transposeB: true }),
  wrt: [0, 1],
});
add({
  name: 'matmul: KV-cache prefix view as b, p × v [2, 3, 4, 6] × [2, 3, 6 of 13, 8]',
  kernels: ['matmul'],
  inputs: (r) => [U([2, 3, 4, 6])(r), U([2, 3, 13, 8])(r)],
  run: (p, v) => ops.matmul(p, ops.sliceAxis(v, 2, 0, 6)),
  ref: (p, v) => ref.matmulRef(p, ref.sliceRef(v, [0, 0, 0, 0], [2, 3, 6, 8])),
  wrt: [0, 1],
});
add({
  name: 'matmul: batch-strided views with offsets on both sides, transposeA [3, 6 of 9, 5]ᵀ × [3, 6 of 10, 4]',
  kernels: ['matmul'],
  inputs: (r) => [U([3, 9, 5])(r), U([3, 10, 4])(r)],
  run: (a, b) => ops.matmul(ops.sliceAxis(a, 1, 1, 7), ops.sliceAxis(b, 1, 2, 8), { transposeA: true }),
  ref: (a, b) => ref.matmulRef(ref.sliceRef(a, [0, 1, 0], [3, 6, 5]), ref.sliceRef(b, [0, 2, 0], [3, 6, 4]), { transposeA: true }),
  wrt: [0, 1],
});
add({
  name: 'matmul: KV-cache prefix view, gemm-sized [1, 2, 33, 64] × [1, 2, 65 of 129, 64]ᵀ',
  kernels: ['matmul'],
  inputs: (r) => [U([1, 2, 33, 64])(r), U([1, 2, 129, 64])(r)],
  run: (q, k) => ops.matmul(q, ops.sliceAxis(k, 2, 0, 65), { transposeB: true }),
  ref: (q, k) => ref.matmulRef(q, ref.sliceRef(k, [0, 0, 0, 0], [1, 2, 65, 64]), { transposeB: true }),
  // A 64-term f32 dot product of O(1) terms: rounding error grows ~√K·eps·Σ|ab| ≈ 1e-6 absolute.
  tol: { rtol: 1e-5, atol: 1e-5 },
});
add({
  name: 'matmul: KV-cache prefix views, one-token decode [1, 2, 1, 64] × [1, 2, 129 of 200, 64]ᵀ, then × v',
  kernels: ['matmul'],
  inputs: (r) => [U([1, 2, 1, 64])(r), U([1, 2, 200, 64])(r), U([1, 2, 200, 64])(r)],
  run: (q, k, v) => ops.matmul(ops.matmul(q, ops.sliceAxis(k, 2, 0, 129), { transposeB: true }), ops.sliceAxis(v, 2, 0, 129)),
  ref: (q, k, v) => {
    const prefix = (x: Nd) => ref.sliceRef(x, [0, 0, 0, 0], [1, 2, 129, 64]);
    return ref.matmulRef(ref.matmulRef(q, prefix(k), { transposeB: true }), prefix(v));
  },
  // Two chained f32 products (64 then 129 terms): errors of the first (~1e-6) are summed again.
  tol: { rtol: 1e-5, atol: 1e-4 },
});

// ---------------------------------------------------------------- writeSlice (in place)
// Each case returns the target it wrote (writeSlice itself returns nothing).
add({
  name: 'writeSlice: [2, 3, 5, 4] ← [2, 3, 2, 4] at axis 2, start 1',
  kernels: ['writeSlice'],
  inputs: (r) => [U([2, 3, 5, 4])(r), U([2, 3, 2, 4])(r)],
  run: (d, s) => (ops.writeSlice(d, s, 2, 1), d),
  ref: (d, s) => ref.writeSliceRef(d, s, 2, 1),
});
add({
  name: 'writeSlice: transposed target [5, 7]ᵀ ← transposed source [2, 7]ᵀ at axis 1 (−1), start 2',
  kernels: ['writeSlice'],
  inputs: (r) => [U([5, 7])(r), U([2, 7])(r)],
  run: (d, s) => {
    const t = ops.transpose(d);
    ops.writeSlice(t, ops.transpose(s), -1, 2);
    return t;
  },
  ref: (d, s) => ref.writeSliceRef(ref.transposeRef(d), ref.transposeRef(s), 1, 2),
});
add({
  name: 'writeSlice: size-1 source at the last position of axis 0, [4, 6] ← [1, 6]',
  kernels: ['writeSlice'],
  inputs: (r) => [U([4, 6])(r), U([1, 6])(r)],
  run: (d, s) => (ops.writeSlice(d, s, 0, 3), d),
  ref: (d, s) => ref.writeSliceRef(d, s, 0, 3),
});
add({
  name: 'writeSlice: empty source [4, 0] changes nothing',
  kernels: ['writeSlice'],
  inputs: (r) => [U([4, 6])(r), nd([4, 0])],
  run: (d, s) => (ops.writeSlice(d, s, 1, 6), d),
  ref: (d) => d,
});
add({
  name: 'writeSlice: i32',
  kernels: ['writeSlice'],
  inputs: (r) => [as(randomInts([3, 5], 1000, r), 'i32'), as(randomInts([3, 2], 1000, r), 'i32')],
  run: (d, s) => (ops.writeSlice(d, s, 1, 2), d),
  ref: (d, s) => ref.writeSliceRef(d, s, 1, 2),
  outDType: 'i32',
});
add({
  name: 'writeSlice: f16 window starting and ending mid-word [3, 5] ← [3, 2] at start 1',
  kernels: ['writeSlice'],
  inputs: (r) => [as(randomArray([3, 5], r, { dtype: 'f16' }), 'f16'), as(randomArray([3, 2], r, { dtype: 'f16' }), 'f16')],
  run: (d, s) => (ops.writeSlice(d, s, 1, 1), d),
  ref: (d, s) => ref.writeSliceRef(d, s, 1, 1),
  outDType: 'f16',
});
add({
  name: 'writeSlice: two writes fill a KV buffer whose prefix view matmul reads',
  kernels: ['writeSlice', 'matmul'],
  inputs: (r) => [U([1, 2, 9, 8])(r), U([1, 2, 3, 8])(r), U([1, 2, 1, 8])(r), U([1, 2, 1, 8])(r)],
  run: (buf, k1, k2, q) => {
    ops.writeSlice(buf, k1, 2, 0);
    ops.writeSlice(buf, k2, 2, 3);
    return ops.matmul(q, ops.sliceAxis(buf, 2, 0, 4), { transposeB: true });
  },
  ref: (_buf, k1, k2, q) => ref.matmulRef(q, ref.concatRef([k1, k2], 2), { transposeB: true }),
});

/** Every conformance case, in a stable order. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = cases;
