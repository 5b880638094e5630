/**
 * Running the CPU kernel on the same host arrays, for dtypes and cases a gpu.js kernel does not
 * accelerate (i32 arithmetic, empty tensors). Storage layouts are identical, so no copy is made.
 */
import { getKernel, type KernelArgs } from '@evejs/tensor/backend';

export function runOnCpu(op: string, args: KernelArgs<unknown, never>): unknown[] {
  const k = getKernel('cpu', op);
  if (!k) throw new Error(`${op}: no cpu kernel to delegate to (registerCpuBackend() first)`);
  return k.run(args as never);
}

/** Pads a shape or stride list to 6 entries at the front (the rank gpu.js kernels index). */
export function pad6(xs: readonly number[], fill: number): Float32Array {
  if (xs.length > 6) throw new Error(`gpu.js kernels index at most 6 dimensions, got ${xs.length}`);
  const out = new Float32Array(6).fill(fill);
  out.set(xs, 6 - xs.length);
  return out;
}

/** A kernel's result as an array the caller owns: gpu.js may reuse its output buffer on the next call. */
export function copyOut(out: unknown): Float32Array {
  return (out as Float32Array).slice();
}
