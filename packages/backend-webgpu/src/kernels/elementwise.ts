/**
 * WebGPU kernels for the elementwise ops: unary math, binary arithmetic and comparisons with
 * broadcasting, where, cast and contiguous — all maps over strided views (shaders/map.wgsl.ts).
 * Semantics mirror the CPU kernels: gelu in erf form, NaN-propagating maximum/minimum, float →
 * int casts truncating and wrapping like a JS typed-array store, integer division by zero → 0.
 */
import type { CastAttrs, KernelConfig, PowAttrs } from '@evejs/tensor/backend';
import { runMap } from '../shaders/map.wgsl.js';
import { storageKind, type StorageKind } from '../storage-layout.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { f32Bits, mapView, newOutput, type GpuKernelFn } from './views.js';

/** f32 math WGSL lacks or defines loosely: accurate erf and tanh, JS-like pow and int casts. */
const MATH_WGSL = /* wgsl */ `
fn erf_f32(x: f32) -> f32 {
  let z = abs(x);
  if (z < 2.0) {
    // erf(z) = 2/sqrt(pi) * sum (-1)^n z^(2n+1) / (n! (2n+1))
    var term = z;
    var s = z;
    let z2 = z * z;
    for (var n = 1; n < 40; n++) {
      term *= -z2 / f32(n);
      let a = term / f32(2 * n + 1);
      s += a;
      if (abs(a) < 1e-9 * abs(s)) { break; }
    }
    return sign(x) * 1.1283791670955126 * s;
  }
  if (z > 6.0) { return sign(x); }
  if (is_nan(z)) { return x; }
  // erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))
  var f = z;
  for (var n = 40; n >= 1; n--) { f = z + f32(n) * 0.5 / f; }
  return sign(x) * (1.0 - exp(-z * z) * 0.5641895835477563 / f);
}
fn tanh_f32(x: f32) -> f32 {
  let z = abs(x);
  if (z < 0.125) {
    let z2 = x * x;
    return x * (1.0 + z2 * (-0.3333333333 + z2 * (0.1333333333 + z2 * -0.0539682540)));
  }
  if (z > 10.0) { return sign(x); }
  let e = exp(-2.0 * z);
  return sign(x) * (1.0 - e) / (1.0 + e);
}
fn sigmoid_f32(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn pow_f32(x: f32, a: f32) -> f32 {
  if (a == 0.0) { return 1.0; }
  if (a == 1.0) { return x; }
  if (a == 2.0) { return x * x; }
  if (a == 3.0) { return x * x * x; }
  if (a == 0.5) { return sqrt(x); }
  if (a == -1.0) { return 1.0 / x; }
  if (a == -0.5) { return 1.0 / sqrt(x); }
  if (x == 0.0) { return select(0.0, f32_inf(), a < 0.0); }
  let m = pow(abs(x), a);
  if (x < 0.0) {
    if (floor(a) != a) { return f32_nan(); }
    return select(m, -m, abs(a) % 2.0 == 1.0);
  }
  return m;
}
// JS ToInt32(Math.trunc(x)): NaN and infinities give 0, large values wrap modulo 2^32.
fn f32_to_i32_js(x: f32) -> i32 {
  if (is_nan(x) || abs(x) == f32_inf()) { return 0; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0) { return i32(t); }
  let w = t - 4294967296.0 * floor(t / 4294967296.0);
  return bitcast<i32>(u32(w));
}
`;

const UNARY_F32: Record<string, string> = {
  neg: '-x',
  abs: 'abs(x)',
  exp: 'exp(x)',
  log: 'log(x)',
  sqrt: 'sqrt(x)',
  rsqrt: '1.0 / sqrt(x)',
  tanh: 'tanh_f32(x)',
  erf: 'erf_f32(x)',
  sigmoid: 'sigmoid_f32(x)',
  silu: 'x * sigmoid_f32(x)',
  gelu: '0.5 * x * (1.0 + erf_f32(x * 0.7071067811865476))',
  geluTanh: '0.5 * x * (1.0 + tanh_f32(0.7978845608028654 * (x + 0.044715 * x * x * x)))',
  pow: 'pow_f32(x, umf(2u))',
};
const UNARY_I32: Record<string, string> = { neg: '-x', abs: 'abs(x)' };

const BINARY_F32: Record<string, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  maximum: 'select(max(a, b), f32_nan(), is_nan(a) || is_nan(b))',
  minimum: 'select(min(a, b), f32_nan(), is_nan(a) || is_nan(b))',
};
const BINARY_I32: Record<string, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'select(a / b, 0, b == 0)',
  maximum: 'max(a, b)',
  minimum: 'min(a, b)',
};
const COMPARE: Record<string, string> = {
  equal: '==',
  notEqual: '!=',
  less: '<',
  lessEqual: '<=',
  greater: '>',
  greaterEqual: '>=',
};

function unaryKernel(op: string): KernelConfig<PowAttrs, WebGpuBackend> {
  const run: GpuKernelFn<PowAttrs> = ({ inputs: [x], outputs: [o], attrs, backend }) => {
    const out = newOutput(backend, o!);
    const isInt = x!.dtype === 'i32';
    const expr = isInt ? UNARY_I32[op]! : UNARY_F32[op]!;
    runMap(backend, {
      body: `unary:${op}`,
      code: `let x = v0; result = bitcast<u32>(${expr});`,
      helpers: MATH_WGSL,
      shape: o!.shape,
      inputs: [mapView(x!, o!.shape)],
      out: out.view,
      attrs: op === 'pow' ? [f32Bits(attrs.exponent)] : [],
    });
    return [out.storage];
  };
  return { op, backend: 'webgpu', run };
}

function binaryKernel(op: string, expr: (isInt: boolean) => string): KernelConfig<unknown, WebGpuBackend> {
  const run: GpuKernelFn = ({ inputs: [a, b], outputs: [o], backend }) => {
    const out = newOutput(backend, o!);
    const isInt = a!.dtype === 'i32';
    runMap(backend, {
      body: `binary:${op}`,
      code: `let a = v0; let b = v1; result = ${expr(isInt)};`,
      shape: o!.shape,
      inputs: [mapView(a!, o!.shape), mapView(b!, o!.shape)],
      out: out.view,
    });
    return [out.storage];
  };
  return { op, backend: 'webgpu', run };
}

const where: KernelConfig<unknown, WebGpuBackend> = {
  op: 'where',
  backend: 'webgpu',
  run: ({ inputs: [c, a, b], outputs: [o], backend }) => {
    const out = newOutput(backend, o!);
    runMap(backend, {
      body: 'where',
      code: 'result = select(r2, r1, r0 != 0u);',
      shape: o!.shape,
      inputs: [mapView(c!, o!.shape), mapView(a!, o!.shape), mapView(b!, o!.shape)],
      out: out.view,
    });
    return [out.storage];
  },
};

const contiguous: KernelConfig<unknown, WebGpuBackend> = {
  op: 'contiguous',
  backend: 'webgpu',
  run: ({ inputs: [x], outputs: [o], backend }) => {
    const out = newOutput(backend, o!);
    runMap(backend, { body: 'copy', code: 'result = r0;', shape: o!.shape, inputs: [mapView(x!, o!.shape)], out: out.view });
    return [out.storage];
  },
};

/** WGSL that converts `v0` (a value of kind `from`) into raw bits of kind `to`, as the CPU cast does. */
function castCode(from: StorageKind, to: StorageKind, toDType: string): string {
  const fromFloat = from === 'f32' || from === 'f16' || from === 'bf16';
  const asF32 = fromFloat ? 'v0' : 'f32(v0)';
  const asI32 = fromFloat ? 'f32_to_i32_js(v0)' : from === 'i32' ? 'v0' : 'i32(v0)';
  const isZero = fromFloat ? '(v0 == 0.0 && !is_nan(v0))' : from === 'i32' ? 'v0 == 0' : 'v0 == 0u';
  if (toDType === 'bool') return `result = select(1u, 0u, ${isZero});`;
  switch (to) {
    case 'f32':
      return `result = bitcast<u32>(${asF32});`;
    case 'f16':
      return `result = f32_to_f16(${asF32});`;
    case 'bf16':
      return `result = f32_to_bf16(${asF32});`;
    case 'i32':
      return `result = bitcast<u32>(${asI32});`;
    case 'u32': // u8: the low byte, like a Uint8Array store
      return `result = bitcast<u32>(${asI32}) & 0xffu;`;
  }
}

const cast: KernelConfig<CastAttrs, WebGpuBackend> = {
  op: 'cast',
  backend: 'webgpu',
  run: ({ inputs: [x], outputs: [o], backend }) => {
    const out = newOutput(backend, o!);
    const from = storageKind(x!.dtype);
    const to = storageKind(o!.dtype);
    const same = x!.dtype === o!.dtype;
    runMap(backend, {
      body: `cast:${x!.dtype}>${o!.dtype}`,
      code: same ? 'result = r0;' : castCode(from, to, o!.dtype),
      helpers: MATH_WGSL,
      shape: o!.shape,
      inputs: [mapView(x!, o!.shape)],
      out: out.view,
    });
    return [out.storage];
  },
};

export const elementwiseKernels = [
  ...Object.keys(UNARY_F32).map(unaryKernel),
  ...Object.keys(BINARY_F32).map((op) => binaryKernel(op, (isInt) => `bitcast<u32>(${isInt ? BINARY_I32[op] : BINARY_F32[op]})`)),
  ...Object.entries(COMPARE).map(([op, cmp]) => binaryKernel(op, () => `select(0u, 1u, a ${cmp} b)`)),
  where,
  contiguous,
  cast,
] as KernelConfig<never, WebGpuBackend>[];
