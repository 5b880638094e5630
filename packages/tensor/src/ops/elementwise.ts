/**
 * Elementwise ops: unary math (neg … gelu), binary arithmetic with NumPy broadcasting, comparisons,
 * `where`, and `cast`. Kernels read strided/broadcast views directly, so broadcasting a bias or a
 * mask never materialises a copy. Float math is f32 (storage dtypes f16/bf16 are cast first).
 */
import { type DType, isFloatDType } from '../dtype.js';
import { engine } from '../engine.js';
import { DTypeError } from '../errors.js';
import { defineOp, type OpDef } from '../op.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { sumToShape } from './reduce.js';
import { asTensor, requireDType, requireSameDType, type TensorLike } from './util.js';

// ---------------------------------------------------------------- unary

/** The unary ops; each name is also its kernel key. */
export type UnaryOpName =
  | 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'tanh' | 'erf' | 'sigmoid' | 'silu' | 'gelu' | 'geluTanh' | 'pow';

export interface PowAttrs {
  exponent: number;
}

function unaryOp<A = Record<string, never>>(name: UnaryOpName, grad: OpDef<A>['grad'], dtypes: readonly DType[] = ['f32']): OpDef<A> {
  return defineOp<A>({
    name,
    stridedInputs: true,
    infer: ([x]) => {
      requireDType(name, x!, dtypes);
      return [{ shape: x!.shape, dtype: x!.dtype }];
    },
    grad,
  });
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const negOp = unaryOp('neg', ({ dys }) => [neg(dys[0]!)], ['f32', 'i32']);
export const absOp = unaryOp('abs', ({ inputs, dys }) => [mul(dys[0]!, sign(inputs[0]!))], ['f32', 'i32']);
export const expOp = unaryOp('exp', ({ outputs, dys }) => [mul(dys[0]!, outputs[0]!)]);
export const logOp = unaryOp('log', ({ inputs, dys }) => [div(dys[0]!, inputs[0]!)]);
export const sqrtOp = unaryOp('sqrt', ({ outputs, dys }) => [div(mul(dys[0]!, 0.5), outputs[0]!)]);
// d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 y / x
export const rsqrtOp = unaryOp('rsqrt', ({ inputs, outputs, dys }) => [mul(dys[0]!, div(mul(outputs[0]!, -0.5), inputs[0]!))]);
export const tanhOp = unaryOp('tanh', ({ outputs, dys }) => [mul(dys[0]!, sub(1, mul(outputs[0]!, outputs[0]!)))]);
export const erfOp = unaryOp('erf', ({ inputs, dys }) => {
  const x = inputs[0]!;
  return [mul(dys[0]!, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
});
export const sigmoidOp = unaryOp('sigmoid', ({ outputs, dys }) => {
  const y = outputs[0]!;
  return [mul(dys[0]!, mul(y, sub(1, y)))];
});
// silu = x·s(x); d/dx = s · (1 + x · (1 − s))
export const siluOp = unaryOp('silu', ({ inputs, dys }) => {
  const x = inputs[0]!;
  const s = sigmoid(x);
  return [mul(dys[0]!, mul(s, add(1, mul(x, sub(1, s)))))];
});
// gelu(x) = x·Φ(x); d/dx = Φ(x) + x·φ(x)
export const geluOp = unaryOp('gelu', ({ inputs, dys }) => {
  const x = inputs[0]!;
  const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI);
  return [mul(dys[0]!, add(cdf, mul(x, pdf)))];
});
// geluTanh(x) = ½x(1 + t), t = tanh(k(x + 0.044715x³)); d/dx = ½(1+t) + ½x(1−t²)·k(1 + 3·0.044715x²)
export const geluTanhOp = unaryOp('geluTanh', ({ inputs, dys }) => {
  const x = inputs[0]!;
  const x2 = mul(x, x);
  const t = tanh(mul(add(x, mul(mul(x2, x), 0.044715)), SQRT_2_OVER_PI));
  const dinner = mul(add(mul(x2, 3 * 0.044715), 1), SQRT_2_OVER_PI);
  const left = mul(add(t, 1), 0.5);
  const right = mul(mul(mul(x, 0.5), sub(1, mul(t, t))), dinner);
  return [mul(dys[0]!, add(left, right))];
});
export const powOp = unaryOp<PowAttrs>('pow', ({ inputs, attrs, dys }) => [
  mul(dys[0]!, mul(pow(inputs[0]!, attrs.exponent - 1), attrs.exponent)),
]);

const run1 = <A>(op: OpDef<A>, x: Tensor, attrs: A): Tensor => engine.runOp(op, [x], attrs)[0]!;
const none = {} as Record<string, never>;

/** −x. @example neg(tensor([1, -2])) // [-1, 2] */
export const neg = (x: Tensor): Tensor => run1(negOp, x, none);
/** |x|. */
export const abs = (x: Tensor): Tensor => run1(absOp, x, none);
/** eˣ. */
export const exp = (x: Tensor): Tensor => run1(expOp, x, none);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => run1(logOp, x, none);
/** √x. */
export const sqrt = (x: Tensor): Tensor => run1(sqrtOp, x, none);
/** 1/√x. */
export const rsqrt = (x: Tensor): Tensor => run1(rsqrtOp, x, none);
/** tanh x. */
export const tanh = (x: Tensor): Tensor => run1(tanhOp, x, none);
/** The error function. */
export const erf = (x: Tensor): Tensor => run1(erfOp, x, none);
/** 1/(1+e⁻ˣ). */
export const sigmoid = (x: Tensor): Tensor => run1(sigmoidOp, x, none);
/** x·sigmoid(x) (Llama's MLP activation). */
export const silu = (x: Tensor): Tensor => run1(siluOp, x, none);
/** GELU, exact erf form (PyTorch `gelu`, approximate='none'). */
export const gelu = (x: Tensor): Tensor => run1(geluOp, x, none);
/** GELU, tanh approximation (PyTorch `gelu(approximate='tanh')`). */
export const geluTanh = (x: Tensor): Tensor => run1(geluTanhOp, x, none);
/** xᵖ for a constant exponent p. @example pow(x, 2) */
export const pow = (x: Tensor, exponent: number): Tensor => run1(powOp, x, { exponent });

/** sign(x) as f32 (used by abs's gradient; no gradient itself). */
function sign(x: Tensor): Tensor {
  return sub(cast(greater(x, 0), 'f32'), cast(less(x, 0), 'f32'));
}

// ---------------------------------------------------------------- binary

export type BinaryOpName = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum';
export type CompareOpName = 'equal' | 'notEqual' | 'less' | 'lessEqual' | 'greater' | 'greaterEqual';

function binaryOp(name: BinaryOpName, grad: OpDef<Record<string, never>>['grad']): OpDef<Record<string, never>> {
  return defineOp({
    name,
    stridedInputs: true,
    infer: ([a, b]) => {
      requireDType(name, a!, ['f32', 'i32']);
      requireSameDType(name, a!, b!);
      return [{ shape: broadcastShapes(a!.shape, b!.shape), dtype: a!.dtype }];
    },
    grad,
  });
}

export const addOp = binaryOp('add', ({ inputs: [a, b], dys: [dy] }) => [sumToShape(dy!, a!.shape), sumToShape(dy!, b!.shape)]);
export const subOp = binaryOp('sub', ({ inputs: [a, b], dys: [dy] }) => [sumToShape(dy!, a!.shape), sumToShape(neg(dy!), b!.shape)]);
export const mulOp = binaryOp('mul', ({ inputs: [a, b], dys: [dy] }) => [
  sumToShape(mul(dy!, b!), a!.shape),
  sumToShape(mul(dy!, a!), b!.shape),
]);
export const divOp = binaryOp('div', ({ inputs: [a, b], outputs: [y], dys: [dy] }) => [
  sumToShape(div(dy!, b!), a!.shape),
  sumToShape(neg(div(mul(dy!, y!), b!)), b!.shape),
]);
// Ties send the gradient to the first operand, like torch.maximum's subgradient choice is arbitrary.
export const maximumOp = binaryOp('maximum', ({ inputs: [a, b], dys: [dy] }) => {
  const m = greaterEqual(a!, b!);
  return [sumToShape(where(m, dy!, 0), a!.shape), sumToShape(where(m, 0, dy!), b!.shape)];
});
export const minimumOp = binaryOp('minimum', ({ inputs: [a, b], dys: [dy] }) => {
  const m = lessEqual(a!, b!);
  return [sumToShape(where(m, dy!, 0), a!.shape), sumToShape(where(m, 0, dy!), b!.shape)];
});

function binary(op: OpDef<Record<string, never>>, a: TensorLike, b: TensorLike): Tensor {
  if (typeof a === 'number' && typeof b === 'number') throw new DTypeError(`${op.name}: at least one operand must be a tensor`);
  const ta = typeof a === 'number' ? asTensor(a, b as Tensor) : a;
  const tb = typeof b === 'number' ? asTensor(b, ta) : b;
  try {
    return engine.runOp(op, [ta, tb], none)[0]!;
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}

/** a + b with broadcasting. @example add(x, 1) */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary(addOp, a, b);
/** a − b with broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary(subOp, a, b);
/** a · b with broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary(mulOp, a, b);
/** a / b with broadcasting. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary(divOp, a, b);
/** Elementwise max(a, b). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary(maximumOp, a, b);
/** Elementwise min(a, b). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary(minimumOp, a, b);

function compareOp(name: CompareOpName): OpDef<Record<string, never>> {
  return defineOp({
    name,
    stridedInputs: true,
    infer: ([a, b]) => {
      requireDType(name, a!, ['f32', 'i32']);
      requireSameDType(name, a!, b!);
      return [{ shape: broadcastShapes(a!.shape, b!.shape), dtype: 'bool' }];
    },
  });
}
export const equalOp = compareOp('equal');
export const notEqualOp = compareOp('notEqual');
export const lessOp = compareOp('less');
export const lessEqualOp = compareOp('lessEqual');
export const greaterOp = compareOp('greater');
export const greaterEqualOp = compareOp('greaterEqual');

/** a == b → bool. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary(equalOp, a, b);
/** a != b → bool. */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binary(notEqualOp, a, b);
/** a < b → bool. */
export const less = (a: TensorLike, b: TensorLike): Tensor => binary(lessOp, a, b);
/** a <= b → bool. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binary(lessEqualOp, a, b);
/** a > b → bool. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary(greaterOp, a, b);
/** a >= b → bool. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binary(greaterEqualOp, a, b);

// ---------------------------------------------------------------- where, cast

export const whereOp = defineOp<Record<string, never>>({
  name: 'where',
  stridedInputs: true,
  infer: ([c, a, b]) => {
    requireDType('where', c!, ['bool']);
    requireSameDType('where', a!, b!);
    return [{ shape: broadcastShapes(c!.shape, a!.shape, b!.shape), dtype: a!.dtype }];
  },
  grad: ({ inputs: [c, a, b], dys: [dy] }) => [
    null,
    sumToShape(where(c!, dy!, 0), a!.shape),
    sumToShape(where(c!, 0, dy!), b!.shape),
  ],
});

/**
 * cond ? a : b, elementwise with broadcasting (`cond` is bool).
 * @example where(mask, x, -Infinity)
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const like = typeof a === 'number' ? (b as Tensor) : a;
  if (typeof a === 'number' && typeof b === 'number') throw new DTypeError('where: a or b must be a tensor');
  const ta = asTensor(a, like);
  const tb = asTensor(b, like);
  try {
    return engine.runOp(whereOp, [cond, ta, tb], none)[0]!;
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}

/** x with `value` where `mask` is true (PyTorch `masked_fill`). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}

export interface CastAttrs {
  dtype: DType;
}

export const castOp = defineOp<CastAttrs>({
  name: 'cast',
  stridedInputs: true,
  infer: ([x], { dtype }) => [{ shape: x!.shape, dtype }],
  grad: ({ inputs: [x], outputs: [y], dys: [dy] }) => [isFloatDType(x!.dtype) && isFloatDType(y!.dtype) ? cast(dy!, x!.dtype) : null],
});

/** Converts to another dtype (floats round to nearest even; float → int truncates). */
export function cast(x: Tensor, dtype: DType): Tensor {
  return engine.runOp(castOp, [x], { dtype })[0]!;
}
