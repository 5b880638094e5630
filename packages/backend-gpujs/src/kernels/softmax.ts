/**
 * softmax / logSoftmax along any axis on gpu.js in three passes, as the CPU kernel: each row's
 * max, then Σ exp(x − max), then the elementwise result. Rows are (outer, inner) pairs around
 * the axis; one thread per row in the first two passes, so a row is read len times, not len².
 */
import { type AxisAttrs, type KernelConfig, sizeOf } from '@evejs/tensor/backend';
import type { GpujsBackend } from '../gpujs-backend.js';
import { copyOut } from './cpu-delegate.js';

// Kernel arguments are gpu.js arrays indexed inside the shader subset, where `!` cannot be written.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Arr = any;
type This = { thread: { x: number } };

function rowStatFn(this: This, x: Arr, off: number, len: number, inner: number, m: Arr, pass: number): number {
  const t = this.thread.x;
  const a = Math.floor((t + 0.5) / inner);
  const base = off + a * len * inner + (t - a * inner);
  let acc = 0;
  if (pass === 0) acc = x[base];
  for (let i = 0; i < len; i++) {
    const v = x[base + i * inner];
    if (pass === 0) acc = Math.max(acc, v);
    else acc += Math.exp(v - m[t]);
  }
  return acc;
}

function softmaxFn(this: This, x: Arr, off: number, len: number, inner: number, m: Arr, s: Arr, isLog: number): number {
  const idx = this.thread.x;
  const a = Math.floor((idx + 0.5) / (len * inner));
  const rem = idx - a * len * inner;
  const i = Math.floor((rem + 0.5) / inner);
  const row = a * inner + (rem - i * inner);
  const v = x[off + idx] - m[row];
  if (isLog === 1) return v - Math.log(s[row]);
  return Math.exp(v) / s[row];
}

function softmaxKernel(backend: string, op: 'softmax' | 'logSoftmax'): KernelConfig<AxisAttrs, GpujsBackend> {
  return {
    op,
    backend,
    run: ({ inputs: [x], attrs: { axis }, backend: b }) => {
      const n = sizeOf(x!.shape);
      if (n === 0) return [new Float32Array(0)];
      const len = x!.shape[axis]!;
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const rows = n / len;
      const data = x!.storage as Float32Array;
      const stat = b.kernel('softmaxRowStat', rowStatFn as never);
      stat.setOutput([rows]);
      const m = (stat(data, x!.offset, len, inner, new Float32Array(rows), 0) as Float32Array).slice();
      const s = (stat(data, x!.offset, len, inner, m, 1) as Float32Array).slice();
      const k = b.kernel('softmax', softmaxFn as never);
      k.setOutput([n]);
      return [copyOut(k(data, x!.offset, len, inner, m, s, op === 'logSoftmax' ? 1 : 0))];
    },
  };
}

export function softmaxKernels(backend: string): KernelConfig<never, GpujsBackend>[] {
  return [softmaxKernel(backend, 'softmax'), softmaxKernel(backend, 'logSoftmax')] as KernelConfig<never, GpujsBackend>[];
}
