/**
 * matmul on gpu.js: one thread per output element of the (batch·M, N) result, an inner loop over
 * K. Transposes are strides and broadcast batches are per-batch offsets (planMatmul), so no
 * operand is copied; f16/bf16 weights are decoded to f32 on the host first.
 */
import { type HostArray, type KernelConfig, type MatmulAttrs, planMatmul, toFloat32Array } from '@evejs/tensor/backend';
import type { GpujsBackend } from '../gpujs-backend.js';

// Kernel arguments are gpu.js arrays indexed inside the shader subset, where `!` cannot be written.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Arr = any;
type This = { thread: { x: number; y: number } };

function matmulFn(this: This, a: Arr, b: Arr, aOffs: Arr, bOffs: Arr, m: number, k: number, sai: number, sap: number, sbp: number, sbj: number): number {
  const r = this.thread.y;
  const j = this.thread.x;
  const bi = Math.floor((r + 0.5) / m);
  const i = r - bi * m;
  const ao = aOffs[bi] + i * sai;
  const bo = bOffs[bi] + j * sbj;
  let s = 0;
  for (let p = 0; p < k; p++) s += a[ao + p * sap] * b[bo + p * sbp];
  return s;
}

export function matmulKernel(backend: string): KernelConfig<MatmulAttrs, GpujsBackend> {
  return {
    op: 'matmul',
    backend,
    run: ({ inputs: [a, c], attrs, backend: be }) => {
      const { m, k, n, aOffsets, bOffsets } = planMatmul(a!, c!, attrs);
      const rows = aOffsets.length * m;
      if (rows === 0 || n === 0) return [new Float32Array(0)];
      if (k === 0) return [new Float32Array(rows * n)];
      const bd = toFloat32Array(c!.storage as HostArray, c!.dtype);
      const kern = be.kernel('matmul', matmulFn as never);
      kern.setOutput([n, rows]);
      const [sai, sap] = attrs.transposeA ? [1, m] : [k, 1];
      const [sbp, sbj] = attrs.transposeB ? [1, k] : [n, 1];
      const out = kern(a!.storage as Float32Array, bd, Float32Array.from(aOffsets), Float32Array.from(bOffsets), m, k, sai, sap, sbp, sbj);
      return [flatten(out as Float32Array[] | Float32Array, rows * n)];
    },
  };
}

/** gpu.js returns 2-D outputs as an array of rows. */
export function flatten(out: Float32Array[] | Float32Array, size: number): Float32Array {
  if (out instanceof Float32Array) return out.slice(); // gpu.js may reuse its output buffer
  const flat = new Float32Array(size);
  let o = 0;
  for (const row of out) {
    flat.set(row, o);
    o += row.length;
  }
  return flat;
}
