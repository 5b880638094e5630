/**
 * CPU matmul. `matmulNaive`, plain TypeScript, is the reference kernel and the path for tiny
 * products; everything else goes to the WebAssembly SIMD kernels over worker threads
 * (../wasm/wasm-matmul.ts), falling back to `matmulNaive` where WebAssembly SIMD is missing.
 * Operands are packed so the inner loop runs over contiguous memory (A row-major [M, K], B
 * row-major [K, N]) and accumulates a whole output row at a time (i-k-j order). Batch dimensions
 * broadcast, and may stride freely (KV-cache views), by offset arithmetic: only each matrix must
 * be dense. f16/bf16 weights are decoded to f32 first.
 */
import { toFloat32Array, type HostArray } from '../../dtype.js';
import type { KernelConfig, TensorView } from '../../kernel-registry.js';
import { matmulBatchStrides, matmulDims, type MatmulAttrs } from '../../ops/matmul.js';
import { sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';
import { matmulWasm } from '../wasm/wasm-matmul.js';

export interface MatmulPlan {
  m: number;
  k: number;
  n: number;
  batch: number[];
  /** Element offset of each batch's A and B matrix. */
  aOffsets: Int32Array;
  bOffsets: Int32Array;
}

/**
 * Shapes and per-batch offsets of a (broadcast) batched matmul over inputs whose matrices are
 * dense row-major; their batch axes may have any strides (see `matmulOp.acceptsView`).
 */
export function planMatmul(a: TensorView, b: TensorView, attrs: MatmulAttrs): MatmulPlan {
  const { m, k, n, batch } = matmulDims(a.shape, b.shape, attrs);
  const nb = sizeOf(batch);
  const aStrides = matmulBatchStrides(a, batch);
  const bStrides = matmulBatchStrides(b, batch);
  const aOffsets = new Int32Array(nb);
  const bOffsets = new Int32Array(nb);
  const idx = new Array<number>(batch.length).fill(0);
  for (let i = 0; i < nb; i++) {
    let oa = a.offset;
    let ob = b.offset;
    for (let d = 0; d < batch.length; d++) {
      oa += idx[d]! * aStrides[d]!;
      ob += idx[d]! * bStrides[d]!;
    }
    aOffsets[i] = oa;
    bOffsets[i] = ob;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d]! < batch[d]!) break;
      idx[d] = 0;
    }
  }
  return { m, k, n, batch, aOffsets, bOffsets };
}

/** Copies a [rows, cols] matrix transposed into `out` at 0. */
function transposeInto(src: Float32Array, off: number, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[off + r * cols + c]!;
}

/** C[M,N] = A[M,K]·B[K,N] for row-major packed operands. */
export function matmulPacked(a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const crow = cOff + i * n;
    for (let j = 0; j < n; j++) c[crow + j] = 0;
    for (let p = 0; p < k; p++) {
      const av = a[aOff + i * k + p]!;
      if (av === 0) continue;
      const brow = bOff + p * n;
      for (let j = 0; j < n; j++) c[crow + j]! += av * b[brow + j]!;
    }
  }
}

/**
 * The reference matmul on the CPU (any batch broadcasting, either side transposed), into `into`
 * when given (at least batch·m·n long), else a new array.
 */
export function matmulNaive(a: TensorView, b: TensorView, attrs: MatmulAttrs, into?: Float32Array): Float32Array {
  const plan = planMatmul(a, b, attrs);
  const { m, k, n, aOffsets, bOffsets } = plan;
  const ad = a.storage as Float32Array;
  const bd = toFloat32Array(b.storage as HostArray, b.dtype);
  const nb = aOffsets.length;
  const out = into ?? new Float32Array(nb * m * n); // matmulPacked zeroes each row first
  const aT = attrs.transposeA ? new Float32Array(m * k) : null;
  const bT = attrs.transposeB ? new Float32Array(k * n) : null;
  for (let i = 0; i < nb; i++) {
    let aSrc = ad;
    let aOff = aOffsets[i]!;
    if (aT) {
      transposeInto(ad, aOff, k, m, aT);
      aSrc = aT;
      aOff = 0;
    }
    let bSrc = bd;
    let bOff = bOffsets[i]!;
    if (bT) {
      transposeInto(bd, bOff, n, k, bT);
      bSrc = bT;
      bOff = 0;
    }
    matmulPacked(aSrc, aOff, bSrc, bOff, out, i * m * n, m, k, n);
  }
  return out;
}

/** Below this many multiply-adds per matrix, staging for WASM costs more than it saves. */
const NAIVE_MAX_MACS = 4096;

/**
 * The CPU matmul: WASM SIMD (threaded when large) with `matmulNaive` for tiny products. With
 * `pooled`, the output comes from the host pool (and may be longer than batch·m·n).
 */
export function matmulCpu(a: TensorView, b: TensorView, attrs: MatmulAttrs, pooled = false): Float32Array {
  const plan = planMatmul(a, b, attrs);
  const into = pooled ? takeHostArray('f32', plan.aOffsets.length * plan.m * plan.n) : undefined;
  if (plan.m * plan.n * plan.k <= NAIVE_MAX_MACS) return matmulNaive(a, b, attrs, into);
  return matmulWasm(a, b, attrs, plan, into) ?? matmulNaive(a, b, attrs, into);
}

export const matmulKernel: KernelConfig<MatmulAttrs> = {
  op: 'matmul',
  backend: 'cpu',
  run: ({ inputs: [a, b], attrs }) => [matmulCpu(a!, b!, attrs, true)],
};
