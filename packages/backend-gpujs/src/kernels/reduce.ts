/**
 * sum and max of f32 over any axes on gpu.js: one thread per output element walks the reduced
 * axes (shapes/strides padded to rank 6). Sums accumulate in f32 (the CPU kernel uses f64).
 * i32 reductions run the CPU kernel.
 */
import { contiguousStrides, type KernelArgs, type KernelConfig, type ReduceAttrs, sizeOf } from '@evejs/tensor/backend';
import type { GpujsBackend } from '../gpujs-backend.js';
import { copyOut, pad6, runOnCpu } from './cpu-delegate.js';

// Kernel arguments are gpu.js arrays indexed inside the shader subset, where `!` cannot be written.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Arr = any;
type This = { thread: { x: number } };

function reduceFn(this: This, x: Arr, off: number, kShape: Arr, kStr: Arr, rShape: Arr, rStr: Arr, count: number, isMax: number): number {
  let idx = this.thread.x;
  let base = off;
  for (let d = 5; d >= 0; d--) {
    const q = Math.floor((idx + 0.5) / kShape[d]);
    base += (idx - q * kShape[d]) * kStr[d];
    idx = q;
  }
  let acc = 0;
  if (isMax === 1) acc = x[base];
  for (let r = 0; r < count; r++) {
    let t = r;
    let o = base;
    for (let d = 5; d >= 0; d--) {
      const q = Math.floor((t + 0.5) / rShape[d]);
      o += (t - q * rShape[d]) * rStr[d];
      t = q;
    }
    const v = x[o];
    if (isMax === 1) acc = Math.max(acc, v);
    else acc += v;
  }
  return acc;
}

function reduceKernel(backend: string, op: 'sum' | 'max'): KernelConfig<ReduceAttrs, GpujsBackend> {
  return {
    op,
    backend,
    run: (args) => {
      const { inputs: [x], attrs: { axes }, outputs: [o], backend: b } = args;
      const n = sizeOf(o!.shape);
      if (x!.dtype !== 'f32' || n === 0 || sizeOf(x!.shape) === 0) return runOnCpu(op, args as KernelArgs<unknown, never>);
      const strides = contiguousStrides(x!.shape);
      const kept = x!.shape.map((_, i) => i).filter((i) => !axes.includes(i));
      const k = b.kernel('reduce', reduceFn as never);
      k.setOutput([n]);
      return [
        copyOut(k(
          x!.storage as Float32Array,
          x!.offset,
          pad6(kept.map((i) => x!.shape[i]!), 1),
          pad6(kept.map((i) => strides[i]!), 0),
          pad6(axes.map((i) => x!.shape[i]!), 1),
          pad6(axes.map((i) => strides[i]!), 0),
          sizeOf(axes.map((i) => x!.shape[i]!)),
          op === 'max' ? 1 : 0,
        )),
      ];
    },
  };
}

export function reduceKernels(backend: string): KernelConfig<never, GpujsBackend>[] {
  return [reduceKernel(backend, 'sum'), reduceKernel(backend, 'max')] as KernelConfig<never, GpujsBackend>[];
}
