/**
 * Elementwise f32 kernels on gpu.js: the unary ops, contiguous, binary arithmetic and comparisons with
 * broadcasting read straight from strided views (shape and strides padded to rank 6). i32 inputs
 * run the CPU kernel. The kernel bodies are gpu.js's JavaScript subset (compiled to GLSL): no
 * closures, numbers and arrays only, integer division as floor((i + 0.5) / s) because GLSL
 * floats may round i / s just below an integer.
 */
import { broadcastStrides, type KernelArgs, type KernelConfig, type PowAttrs, sizeOf } from '@evejs/tensor/backend';
import type { GpujsBackend } from '../gpujs-backend.js';
import { copyOut, pad6, runOnCpu } from './cpu-delegate.js';

// Kernel arguments are gpu.js arrays indexed inside the shader subset, where `!` cannot be written.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Arr = any;
type This = { thread: { x: number } };

// 'contiguous' is the identity read through strides: the engine needs it on every backend (a
// non-contiguous tensor cannot even be read for a CPU fallback without it).
const UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'erf', 'sigmoid', 'silu', 'gelu', 'geluTanh', 'pow', 'contiguous'];
const BINARY = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'];

// Op codes are indices into UNARY / BINARY; the branches below must stay in the same order.
function unaryFn(this: This, x: Arr, shape: Arr, strides: Arr, off: number, op: number, p: number): number {
  let idx = this.thread.x;
  let o = off;
  for (let d = 5; d >= 0; d--) {
    const q = Math.floor((idx + 0.5) / shape[d]);
    o += (idx - q * shape[d]) * strides[d];
    idx = q;
  }
  const v = x[o];
  if (op === 0) return -v;
  if (op === 1) return Math.abs(v);
  if (op === 2) return Math.exp(v);
  if (op === 3) return Math.log(v);
  if (op === 4) return Math.sqrt(v);
  if (op === 5) return 1 / Math.sqrt(v);
  if (op === 6) return 1 - 2 / (Math.exp(2 * v) + 1);
  if (op === 7 || op === 10) {
    // erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7); gelu uses erf(x/√2).
    let z = v;
    if (op === 10) z = v * 0.7071067811865476;
    const az = Math.abs(z);
    const t = 1 / (1 + 0.3275911 * az);
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-az * az);
    let e = y;
    if (z < 0) e = -y;
    if (op === 7) return e;
    return 0.5 * v * (1 + e);
  }
  if (op === 8) return 1 / (1 + Math.exp(-v));
  if (op === 9) return v / (1 + Math.exp(-v));
  if (op === 11) {
    const u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
    return 0.5 * v * (2 - 2 / (Math.exp(2 * u) + 1));
  }
  if (op === 12) return Math.pow(v, p);
  return v;
}

function binaryFn(this: This, a: Arr, b: Arr, shape: Arr, as: Arr, bs: Arr, aOff: number, bOff: number, op: number): number {
  let idx = this.thread.x;
  let ia = aOff;
  let ib = bOff;
  for (let d = 5; d >= 0; d--) {
    const q = Math.floor((idx + 0.5) / shape[d]);
    const c = idx - q * shape[d];
    ia += c * as[d];
    ib += c * bs[d];
    idx = q;
  }
  const x = a[ia];
  const y = b[ib];
  if (op === 0) return x + y;
  if (op === 1) return x - y;
  if (op === 2) return x * y;
  if (op === 3) return x / y;
  if (op === 4) return Math.max(x, y);
  if (op === 5) return Math.min(x, y);
  if (op === 6) return x === y ? 1 : 0;
  if (op === 7) return x !== y ? 1 : 0;
  if (op === 8) return x < y ? 1 : 0;
  if (op === 9) return x <= y ? 1 : 0;
  if (op === 10) return x > y ? 1 : 0;
  return x >= y ? 1 : 0;
}

function unaryKernel(backend: string, op: string): KernelConfig<Partial<PowAttrs>, GpujsBackend> {
  const code = UNARY.indexOf(op);
  return {
    op,
    backend,
    run: (args) => {
      const { inputs: [x], attrs, outputs: [o], backend: b } = args;
      const n = sizeOf(o!.shape);
      if (x!.dtype !== 'f32' || n === 0) return runOnCpu(op, args as KernelArgs<unknown, never>);
      const k = b.kernel('unary', unaryFn as never);
      k.setOutput([n]);
      const s = broadcastStrides(x!.shape, x!.strides, o!.shape);
      return [copyOut(k(x!.storage as Float32Array, pad6(o!.shape, 1), pad6(s, 0), x!.offset, code, attrs.exponent ?? 0))];
    },
  };
}

function binaryKernel(backend: string, op: string): KernelConfig<unknown, GpujsBackend> {
  const code = BINARY.indexOf(op);
  const isCompare = code >= 6;
  return {
    op,
    backend,
    run: (args) => {
      const { inputs: [a, c], outputs: [o], backend: b } = args;
      const n = sizeOf(o!.shape);
      if (a!.dtype !== 'f32' || n === 0) return runOnCpu(op, args as KernelArgs<unknown, never>);
      const k = b.kernel('binary', binaryFn as never);
      k.setOutput([n]);
      const shape = pad6(o!.shape, 1);
      const as = pad6(broadcastStrides(a!.shape, a!.strides, o!.shape), 0);
      const bs = pad6(broadcastStrides(c!.shape, c!.strides, o!.shape), 0);
      const y = copyOut(k(a!.storage as Float32Array, c!.storage as Float32Array, shape, as, bs, a!.offset, c!.offset, code));
      return [isCompare ? Uint8Array.from(y) : y];
    },
  };
}

export function elementwiseKernels(backend: string): KernelConfig<never, GpujsBackend>[] {
  return [...UNARY.map((op) => unaryKernel(backend, op)), ...BINARY.map((op) => binaryKernel(backend, op))] as KernelConfig<never, GpujsBackend>[];
}
