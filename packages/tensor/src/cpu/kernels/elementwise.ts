/**
 * CPU kernels for the elementwise ops: unary math, binary arithmetic and comparisons with
 * broadcasting, where, cast and contiguous (strided copy). Inputs may be strided views.
 */
import { convertHostArray, type HostArray } from '../../dtype.js';
import type { KernelConfig, KernelFn, TensorView } from '../../kernel-registry.js';
import { sizeOf } from '../../shape.js';
import { erf } from '../math.js';
import { takeHostArray } from '../host-pool.js';
import { forEachRow, planLoop, type LoopPlan } from '../strided.js';
import { binaryWasm, isWasmBinaryOp } from '../wasm/wasm-elementwise.js';

type Unary = (x: number, attrs: { exponent?: number }) => number;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const UNARY: Record<string, Unary> = {
  neg: (x) => -x,
  abs: (x) => Math.abs(x),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  tanh: Math.tanh,
  erf,
  sigmoid,
  silu: (x) => x * sigmoid(x),
  gelu: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  pow: (x, a) => x ** a.exponent!,
};

export const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
};

type Arr = HostArray;
/** out[oi + j] = f(x[xi + j·sx]) for j < n. */
type UnaryLoop = (o: Arr, oi: number, x: Arr, xi: number, sx: number, n: number, p: number) => void;
/** out[oi + j] = f(a[ai + j·sa], b[bi + j·sb]) for j < n. */
export type BinaryLoop = (o: Arr, oi: number, a: Arr, ai: number, sa: number, b: Arr, bi: number, sb: number, n: number) => void;

// One loop per op, each its own function literal, so V8 compiles every op's arithmetic inline
// (a shared loop calling UNARY[op] per element cannot inline a megamorphic call). The
// expressions are exactly those of UNARY/BINARY above.
const UNARY_LOOPS: Record<string, UnaryLoop> = {
  neg: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = -x[xi]!; },
  abs: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = Math.abs(x[xi]!); },
  exp: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = Math.exp(x[xi]!); },
  log: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = Math.log(x[xi]!); },
  sqrt: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = Math.sqrt(x[xi]!); },
  rsqrt: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = 1 / Math.sqrt(x[xi]!); },
  tanh: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = Math.tanh(x[xi]!); },
  erf: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = erf(x[xi]!); },
  sigmoid: (o, oi, x, xi, sx, n) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = 1 / (1 + Math.exp(-x[xi]!)); },
  silu: (o, oi, x, xi, sx, n) => {
    for (let j = 0; j < n; j++, xi += sx) {
      const v = x[xi]!;
      o[oi + j] = v * (1 / (1 + Math.exp(-v)));
    }
  },
  gelu: (o, oi, x, xi, sx, n) => {
    for (let j = 0; j < n; j++, xi += sx) {
      const v = x[xi]!;
      o[oi + j] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
    }
  },
  geluTanh: (o, oi, x, xi, sx, n) => {
    for (let j = 0; j < n; j++, xi += sx) {
      const v = x[xi]!;
      o[oi + j] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
    }
  },
  pow: (o, oi, x, xi, sx, n, p) => { for (let j = 0; j < n; j++, xi += sx) o[oi + j] = x[xi]! ** p; },
};

export const BINARY_LOOPS: Record<string, BinaryLoop> = {
  add: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! + b[bi]!; },
  sub: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! - b[bi]!; },
  mul: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! * b[bi]!; },
  div: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! / b[bi]!; },
  maximum: (o, oi, a, ai, sa, b, bi, sb, n) => {
    for (let j = 0; j < n; j++, ai += sa, bi += sb) {
      const x = a[ai]!;
      const y = b[bi]!;
      o[oi + j] = Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y);
    }
  },
  minimum: (o, oi, a, ai, sa, b, bi, sb, n) => {
    for (let j = 0; j < n; j++, ai += sa, bi += sb) {
      const x = a[ai]!;
      const y = b[bi]!;
      o[oi + j] = Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y);
    }
  },
  equal: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! === b[bi]! ? 1 : 0; },
  notEqual: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! !== b[bi]! ? 1 : 0; },
  less: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! < b[bi]! ? 1 : 0; },
  lessEqual: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! <= b[bi]! ? 1 : 0; },
  greater: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! > b[bi]! ? 1 : 0; },
  greaterEqual: (o, oi, a, ai, sa, b, bi, sb, n) => { for (let j = 0; j < n; j++, ai += sa, bi += sb) o[oi + j] = a[ai]! >= b[bi]! ? 1 : 0; },
};

/** The inner stride of operand k in a plan. */
const innerStride = (plan: LoopPlan, k: number): number => plan.strides[k]![plan.shape.length - 1]!;

function unaryKernel(op: string): KernelConfig {
  const loop = UNARY_LOOPS[op]!;
  const run: KernelFn<{ exponent?: number }> = ({ inputs: [x], attrs, outputs: [o] }) => {
    const out = takeHostArray(o!.dtype, sizeOf(o!.shape));
    const data = x!.storage as HostArray;
    const p = attrs.exponent ?? 0;
    const plan = planLoop([x!], o!.shape);
    const sx = innerStride(plan, 0);
    forEachRow(plan, (st, oi, n) => loop(out, oi, data, st[0]!, sx, n, p));
    return [out];
  };
  return { op, backend: 'cpu', run: run as KernelFn };
}

/** Rows shorter than this stay in the TypeScript loop: staging them in WASM memory costs more. */
const WASM_MIN_ROW = 64;

function binaryKernel(op: string): KernelConfig {
  const loop = BINARY_LOOPS[op]!;
  const wasmOp = isWasmBinaryOp(op) ? op : null;
  const run: KernelFn = ({ inputs: [a, b], outputs: [o] }) => {
    const out = takeHostArray(o!.dtype, sizeOf(o!.shape));
    const da = a!.storage as HostArray;
    const db = b!.storage as HostArray;
    const plan = planLoop([a!, b!], o!.shape);
    const sa = innerStride(plan, 0);
    const sb = innerStride(plan, 1);
    // f32 rows that are dense or a scalar go to the SIMD loops (same bits, see wasm-elementwise.ts).
    const simd = wasmOp && o!.dtype === 'f32' && a!.dtype === 'f32' && b!.dtype === 'f32' && (sa === 0 || sa === 1) && (sb === 0 || sb === 1) && sa + sb > 0 ? wasmOp : null;
    forEachRow(plan, (st, oi, n) => {
      if (simd && n >= WASM_MIN_ROW && binaryWasm(simd, out as Float32Array, oi, da as Float32Array, st[0]!, sa as 0 | 1, db as Float32Array, st[1]!, sb as 0 | 1, n)) return;
      loop(out, oi, da, st[0]!, sa, db, st[1]!, sb, n);
    });
    return [out];
  };
  return { op, backend: 'cpu', run };
}

const where: KernelConfig = {
  op: 'where',
  backend: 'cpu',
  run: ({ inputs: [c, a, b], outputs: [o] }) => {
    const out = takeHostArray(o!.dtype, sizeOf(o!.shape));
    const dc = c!.storage as HostArray;
    const da = a!.storage as HostArray;
    const db = b!.storage as HostArray;
    const plan = planLoop([c!, a!, b!], o!.shape);
    const sc = innerStride(plan, 0);
    const sa = innerStride(plan, 1);
    const sb = innerStride(plan, 2);
    forEachRow(plan, (st, oi, n) => {
      let ci = st[0]!;
      let ai = st[1]!;
      let bi = st[2]!;
      for (let j = 0; j < n; j++, ci += sc, ai += sa, bi += sb) out[oi + j] = dc[ci] ? da[ai]! : db[bi]!;
    });
    return [out];
  },
};

/** Gathers a strided view into a dense array of the same dtype (raw values; the array may be longer, see host-pool.ts). */
export function gatherDense(view: TensorView): HostArray {
  const n = sizeOf(view.shape);
  const out = takeHostArray(view.dtype, n);
  const data = view.storage as HostArray;
  const plan = planLoop([view], view.shape);
  const s = innerStride(plan, 0);
  forEachRow(plan, (st, oi, len) => {
    const i0 = st[0]!;
    if (s === 1) out.set(data.subarray(i0, i0 + len) as never, oi);
    else for (let j = 0, i = i0; j < len; j++, i += s) out[oi + j] = data[i]!;
  });
  return out;
}

const contiguous: KernelConfig = {
  op: 'contiguous',
  backend: 'cpu',
  run: ({ inputs: [x] }) => [gatherDense(x!)],
};

const cast: KernelConfig<{ dtype: string }> = {
  op: 'cast',
  backend: 'cpu',
  run: ({ inputs: [x], outputs: [o] }) => [convertHostArray(gatherDense(x!).subarray(0, sizeOf(x!.shape)), x!.dtype, o!.dtype)],
};

export const elementwiseKernels: KernelConfig[] = [
  ...Object.keys(UNARY).map(unaryKernel),
  ...Object.keys(BINARY).map(binaryKernel),
  where,
  contiguous,
  cast as KernelConfig,
];
