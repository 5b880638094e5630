/**
 * Elementwise kernels: unary math, binary arithmetic and comparisons (tfjs broadcasts), where,
 * contiguous (a strided read) and cast. Semantics follow the CPU kernels
 * (@evejs/tensor cpu/kernels/elementwise.ts): i32 division truncates toward zero, maximum and
 * minimum propagate NaN, float → int casts truncate, casts to u8 wrap modulo 256.
 */
import { convertHostArray, type CastAttrs, type KernelConfig, type PowAttrs, type TensorView } from '@evejs/tensor/backend';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { readView } from '../read-view.js';
import type { TfjsBackend } from '../tfjs-backend.js';
import type { Tf } from '../tfjs-loader.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** −x; wasm's Neg and Abs go through float32 on int32 (−(2³¹−1) comes out as −2³¹), Sub does not. */
function negExact(tf: Tf, x: TfTensor): TfTensor {
  return x.dtype === 'int32' ? tf.sub(tf.scalar(0, 'int32'), x) : tf.neg(x);
}

type UnaryFn = (tf: Tf, x: TfTensor, attrs: Partial<PowAttrs>) => TfTensor;

const UNARY: Record<string, UnaryFn> = {
  neg: (tf, x) => negExact(tf, x),
  abs: (tf, x) => (x.dtype === 'int32' ? tf.where(tf.less(x, tf.scalar(0, 'int32')), negExact(tf, x), x) : tf.abs(x)),
  exp: (tf, x) => tf.exp(x),
  log: (tf, x) => tf.log(x),
  sqrt: (tf, x) => tf.sqrt(x),
  rsqrt: (tf, x) => tf.rsqrt(x),
  tanh: (tf, x) => tf.tanh(x),
  erf: (tf, x) => tf.erf(x),
  sigmoid: (tf, x) => tf.sigmoid(x),
  silu: (tf, x) => tf.mul(x, tf.sigmoid(x)),
  gelu: (tf, x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
  geluTanh: (tf, x) => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  },
  pow: (tf, x, a) => tf.pow(x, tf.scalar(a.exponent!, 'float32')),
};

type BinaryFn = (tf: Tf, a: TfTensor, b: TfTensor) => TfTensor;

/** NaN wherever either operand is NaN (tfjs's max/min may drop it). */
function nanPropagating(tf: Tf, a: TfTensor, b: TfTensor, r: TfTensor): TfTensor {
  if (a.dtype !== 'float32') return r;
  return tf.where(tf.logicalOr(tf.isNaN(a), tf.isNaN(b)), tf.scalar(NaN), r);
}

const BINARY: Record<string, BinaryFn> = {
  add: (tf, a, b) => tf.add(a, b),
  sub: (tf, a, b) => tf.sub(a, b),
  mul: (tf, a, b) => tf.mul(a, b),
  // tf.div floors on int32; the reference truncates toward zero.
  div: (tf, a, b) => (a.dtype === 'int32' ? tf.cast(tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32')), 'int32') : tf.div(a, b)),
  maximum: (tf, a, b) => nanPropagating(tf, a, b, tf.maximum(a, b)),
  minimum: (tf, a, b) => nanPropagating(tf, a, b, tf.minimum(a, b)),
  equal: (tf, a, b) => tf.equal(a, b),
  notEqual: (tf, a, b) => tf.notEqual(a, b),
  less: (tf, a, b) => tf.less(a, b),
  lessEqual: (tf, a, b) => tf.lessEqual(a, b),
  greater: (tf, a, b) => tf.greater(a, b),
  greaterEqual: (tf, a, b) => tf.greaterEqual(a, b),
};

type Config<A = unknown> = KernelConfig<A, TfjsBackend>;

function unaryKernel(backend: string, op: string): Config<Partial<PowAttrs>> {
  const f = UNARY[op]!;
  return { op, backend, run: ({ inputs: [x], attrs, outputs, backend: b }) => b.run(outputs, () => f(b.tf, readView(b.tf, x!), attrs)) };
}

function binaryKernel(backend: string, op: string): Config {
  const f = BINARY[op]!;
  return {
    op,
    backend,
    run: ({ inputs: [a, c], outputs, backend: b }) => b.run(outputs, () => f(b.tf, readView(b.tf, a!), readView(b.tf, c!))),
  };
}

/** A view read in the given (broadcast) output shape. */
function readAs(b: TfjsBackend, v: TensorView, shape: readonly number[]): TfTensor {
  const t = readView(b.tf, v);
  return t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : b.tf.broadcastTo(t, [...shape]);
}

function where(backend: string): Config {
  return {
    op: 'where',
    backend,
    run: ({ inputs: [c, x, y], outputs, backend: b }) => {
      const shape = outputs[0]!.shape;
      return b.run(outputs, () => b.tf.where(readAs(b, c!, shape), readAs(b, x!, shape), readAs(b, y!, shape)));
    },
  };
}

function contiguous(backend: string): Config {
  return { op: 'contiguous', backend, run: ({ inputs: [x], outputs, backend: b }) => b.run(outputs, () => readView(b.tf, x!)) };
}

function cast(backend: string): Config<CastAttrs> {
  return {
    op: 'cast',
    backend,
    run: ({ inputs: [x], attrs: { dtype }, outputs, backend: b }) => {
      const from = x!.dtype;
      if (dtype === 'f16' || dtype === 'bf16') {
        // Rounding to 16-bit floats needs bit manipulation tfjs does not have: round on the host
        // (a cold path: casting weights once), then store the decoded values like any f16 upload.
        const dense = b.run([{ dtype: from }], () => readView(b.tf, x!))[0]!;
        const raw = b.readSync(dense, from, dense.size);
        dense.dispose();
        return [b.upload(dtype, convertHostArray(raw, from, dtype))];
      }
      const tf = b.tf;
      return b.run(outputs, () => {
        const t = readView(tf, x!);
        switch (dtype) {
          case 'f32':
            return tf.cast(t, 'float32');
          case 'i32':
            return tf.cast(t, 'int32'); // truncates toward zero, as Math.trunc
          case 'u8':
            return tf.mod(tf.cast(t, 'int32'), tf.scalar(256, 'int32')); // floor-mod = two's-complement & 0xff
          case 'bool':
            return t.dtype === 'bool' ? t : tf.notEqual(t, tf.scalar(0, t.dtype));
        }
      });
    },
  };
}

export function elementwiseKernels(backend: string): KernelConfig<never, TfjsBackend>[] {
  return [
    ...Object.keys(UNARY).map((op) => unaryKernel(backend, op)),
    ...Object.keys(BINARY).map((op) => binaryKernel(backend, op)),
    where(backend),
    contiguous(backend),
    cast(backend),
  ] as KernelConfig<never, TfjsBackend>[];
}
