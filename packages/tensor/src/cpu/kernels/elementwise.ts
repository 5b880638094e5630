/**
 * CPU kernels for the elementwise ops: unary math, binary arithmetic and comparisons with
 * broadcasting, where, cast and contiguous (strided copy). Inputs may be strided views.
 */
import { allocHostArray, convertHostArray, type HostArray } from '../../dtype.js';
import type { KernelConfig, KernelFn, TensorView } from '../../kernel-registry.js';
import { sizeOf } from '../../shape.js';
import { erf } from '../math.js';
import { isDenseAs, stridedOffsets } from '../strided.js';

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

/** Reads `view` in row-major order of `shape`, as a (possibly shared) array plus offsets. */
function reader(view: TensorView, shape: readonly number[]): { data: HostArray; offsets: Int32Array | null; base: number } {
  const data = view.storage as HostArray;
  return isDenseAs(view, shape) ? { data, offsets: null, base: view.offset } : { data, offsets: stridedOffsets(view, shape), base: 0 };
}

function unaryKernel(op: string): KernelConfig {
  const f = UNARY[op]!;
  const run: KernelFn<{ exponent?: number }> = ({ inputs: [x], attrs, outputs: [o] }) => {
    const n = sizeOf(o!.shape);
    const out = allocHostArray(o!.dtype, n);
    const r = reader(x!, o!.shape);
    if (r.offsets) for (let i = 0; i < n; i++) out[i] = f(r.data[r.offsets[i]!]!, attrs);
    else for (let i = 0; i < n; i++) out[i] = f(r.data[r.base + i]!, attrs);
    return [out];
  };
  return { op, backend: 'cpu', run: run as KernelFn };
}

function binaryKernel(op: string): KernelConfig {
  const f = BINARY[op]!;
  const run: KernelFn = ({ inputs: [a, b], outputs: [o] }) => {
    const n = sizeOf(o!.shape);
    const out = allocHostArray(o!.dtype, n);
    const ra = reader(a!, o!.shape);
    const rb = reader(b!, o!.shape);
    const da = ra.data;
    const db = rb.data;
    if (!ra.offsets && !rb.offsets) {
      for (let i = 0; i < n; i++) out[i] = f(da[ra.base + i]!, db[rb.base + i]!);
    } else {
      const oa = ra.offsets ?? identity(n, ra.base);
      const ob = rb.offsets ?? identity(n, rb.base);
      for (let i = 0; i < n; i++) out[i] = f(da[oa[i]!]!, db[ob[i]!]!);
    }
    return [out];
  };
  return { op, backend: 'cpu', run };
}

function identity(n: number, base: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = base + i;
  return a;
}

const where: KernelConfig = {
  op: 'where',
  backend: 'cpu',
  run: ({ inputs: [c, a, b], outputs: [o] }) => {
    const n = sizeOf(o!.shape);
    const out = allocHostArray(o!.dtype, n);
    const rc = reader(c!, o!.shape);
    const ra = reader(a!, o!.shape);
    const rb = reader(b!, o!.shape);
    const oc = rc.offsets ?? identity(n, rc.base);
    const oa = ra.offsets ?? identity(n, ra.base);
    const ob = rb.offsets ?? identity(n, rb.base);
    for (let i = 0; i < n; i++) out[i] = rc.data[oc[i]!] ? ra.data[oa[i]!]! : rb.data[ob[i]!]!;
    return [out];
  },
};

/** Gathers a strided view into a dense array of the same dtype (raw values). */
export function gatherDense(view: TensorView): HostArray {
  const n = sizeOf(view.shape);
  const out = allocHostArray(view.dtype, n);
  const r = reader(view, view.shape);
  if (!r.offsets) out.set(r.data.subarray(r.base, r.base + n) as never);
  else for (let i = 0; i < n; i++) out[i] = r.data[r.offsets[i]!]!;
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
  run: ({ inputs: [x], outputs: [o] }) => [convertHostArray(gatherDense(x!), x!.dtype, o!.dtype)],
};

export const elementwiseKernels: KernelConfig[] = [
  ...Object.keys(UNARY).map(unaryKernel),
  ...Object.keys(BINARY).map(binaryKernel),
  where,
  contiguous,
  cast as KernelConfig,
];
