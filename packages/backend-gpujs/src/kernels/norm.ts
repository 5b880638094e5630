/**
 * layerNorm and rmsNorm over the last axis on gpu.js: a per-row statistics pass (mean, then the
 * mean of squares about it, in f32) and an elementwise pass, as the CPU kernels compute them.
 */
import { type KernelConfig, type NormAttrs, sizeOf } from '@evejs/tensor/backend';
import type { GpujsBackend } from '../gpujs-backend.js';
import { copyOut } from './cpu-delegate.js';

// Kernel arguments are gpu.js arrays indexed inside the shader subset, where `!` cannot be written.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Arr = any;
type This = { thread: { x: number } };

/** Mean over each row of (x − center[row])^power, power 1 or 2. */
function rowMeanFn(this: This, x: Arr, off: number, d: number, center: Arr, power: number): number {
  const base = off + this.thread.x * d;
  const c = center[this.thread.x];
  let acc = 0;
  for (let i = 0; i < d; i++) {
    const v = x[base + i] - c;
    if (power === 2) acc += v * v;
    else acc += v;
  }
  return acc / d;
}

function normFn(this: This, x: Arr, off: number, d: number, mean: Arr, ms: Arr, w: Arr, wOff: number, bias: Arr, bOff: number, eps: number, hasBias: number): number {
  const idx = this.thread.x;
  const row = Math.floor((idx + 0.5) / d);
  const i = idx - row * d;
  const y = (x[off + idx] - mean[row]) * (1 / Math.sqrt(ms[row] + eps)) * w[wOff + i];
  if (hasBias === 1) return y + bias[bOff + i];
  return y;
}

function normKernel(backend: string, op: 'layerNorm' | 'rmsNorm'): KernelConfig<NormAttrs, GpujsBackend> {
  return {
    op,
    backend,
    run: ({ inputs: [x, w, bias], attrs: { eps }, backend: b }) => {
      const n = sizeOf(x!.shape);
      if (n === 0) return [new Float32Array(0)];
      const d = x!.shape[x!.shape.length - 1]!;
      const rows = n / d;
      const data = x!.storage as Float32Array;
      const stat = b.kernel('normRowMean', rowMeanFn as never);
      stat.setOutput([rows]);
      const zero = new Float32Array(rows);
      const mean = op === 'layerNorm' ? (stat(data, x!.offset, d, zero, 1) as Float32Array).slice() : zero;
      const ms = (stat(data, x!.offset, d, mean, 2) as Float32Array).slice();
      const k = b.kernel('norm', normFn as never);
      k.setOutput([n]);
      const bd = bias ? (bias.storage as Float32Array) : new Float32Array(1);
      return [copyOut(k(data, x!.offset, d, mean, ms, w!.storage as Float32Array, w!.offset, bd, bias?.offset ?? 0, eps, bias ? 1 : 0))];
    },
  };
}

export function normKernels(backend: string): KernelConfig<never, GpujsBackend>[] {
  return [normKernel(backend, 'layerNorm'), normKernel(backend, 'rmsNorm')] as KernelConfig<never, GpujsBackend>[];
}
