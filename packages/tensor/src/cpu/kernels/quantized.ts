/**
 * CPU kernels of the quantised ops. quantizedMatmul dequantises the weight a panel of rows at a
 * time (a few MiB of f32, reused across calls) and hands each panel to the regular CPU matmul
 * (WASM SIMD over worker threads), so the full f32 weight never exists: memory stays at the
 * quantised size, and prefill gets the fast kernel. Decoding (m ≤ 4 rows of x) takes a fused
 * path instead: dot products straight from the int8 / nibble bytes, one scale multiply per block,
 * reading a quarter (q8_0) or an eighth (q4_0) of the f32 weight's bytes — the WASM SIMD kernels
 * over the worker threads (dotRowsQ8 / dotRowsQ4), or TypeScript loops where WebAssembly SIMD is
 * missing.
 */
import { BackendError } from '../../errors.js';
import type { KernelConfig, TensorView } from '../../kernel-registry.js';
import type { QuantAttrs } from '../../ops/quantized.js';
import { f16ToF32Table } from '../../dtype.js';
import { dequantizeRows, type QuantFormat, valuesPerWord } from '../../quantize.js';
import { sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';
import { quantizedMatvecWasm } from '../wasm/wasm-matmul.js';
import { matmulCpu } from './matmul.js';

/** f32 values dequantised per panel (8 MiB). */
const PANEL_VALUES = 1 << 21;
let panel = new Float32Array(0);

/** Rows of x at or below which the fused matvec beats dequantising panels for the WASM matmul. */
const MATVEC_MAX_M = 4;

/**
 * out[i, r] = Σₖ x[i, k]·W[r, k] for i < m, reading the packed bytes directly. One loop per
 * format, each over one typed-array type, so V8 keeps them monomorphic.
 */
function quantizedMatvec(format: QuantFormat, x: Float32Array, xOff: number, m: number, k: number, quants: TensorView, scales: TensorView, n: number, out: Float32Array): void {
  const q = quants.storage as Int32Array;
  const start = q.byteOffset + quants.offset * 4;
  const sc = scales.storage as Uint16Array;
  const table = f16ToF32Table();
  for (let i = 0; i < m; i++) {
    if (format === 'q8_0') matvecQ8(new Int8Array(q.buffer, start, n * k), sc, scales.offset, table, x, xOff + i * k, k, n, out, i * n);
    else matvecQ4(new Uint8Array(q.buffer, start, (n * k) / 2), sc, scales.offset, table, x, xOff + i * k, k, n, out, i * n);
  }
}

function matvecQ8(q: Int8Array, sc: Uint16Array, sOff: number, table: Float32Array, x: Float32Array, xOff: number, k: number, n: number, out: Float32Array, oOff: number): void {
  const blocks = k >> 5;
  for (let r = 0; r < n; r++) {
    let acc = 0;
    let qi = r * k;
    for (let b = 0; b < blocks; b++) {
      const xb = xOff + (b << 5);
      let part = 0;
      for (let j = 0; j < 32; j++) part += q[qi + j]! * x[xb + j]!;
      qi += 32;
      acc += part * table[sc[sOff + r * blocks + b]!]!;
    }
    out[oOff + r] = acc;
  }
}

function matvecQ4(q: Uint8Array, sc: Uint16Array, sOff: number, table: Float32Array, x: Float32Array, xOff: number, k: number, n: number, out: Float32Array, oOff: number): void {
  const blocks = k >> 5;
  for (let r = 0; r < n; r++) {
    let acc = 0;
    let qi = (r * k) >> 1;
    for (let b = 0; b < blocks; b++) {
      const xb = xOff + (b << 5);
      let part = 0;
      for (let j = 0; j < 16; j++) {
        const v = q[qi + j]!;
        part += ((v & 15) - 8) * x[xb + 2 * j]! + ((v >> 4) - 8) * x[xb + 2 * j + 1]!;
      }
      qi += 16;
      acc += part * table[sc[sOff + r * blocks + b]!]!;
    }
    out[oOff + r] = acc;
  }
}

/** Dims of a quantised weight given as (quants, scales) views. */
function weightDims(quants: TensorView, format: QuantAttrs['format']) {
  const rows = quants.shape[0]!;
  const cols = quants.shape[1]! * valuesPerWord(format);
  return { rows, cols };
}

const quantizedMatmul: KernelConfig<QuantAttrs> = {
  op: 'quantizedMatmul',
  backend: 'cpu',
  run: ({ inputs: [x, quants, scales], attrs: { format } }) => {
    const { rows: n, cols: k } = weightDims(quants!, format);
    const m = sizeOf(x!.shape) / k;
    const out = takeHostArray('f32', m * n);
    if (m === 0 || n === 0) return [out];
    if (m <= MATVEC_MAX_M) {
      if (quantizedMatvecWasm(format, x!.storage as Float32Array, x!.offset, m, k, quants!, scales!, n, out)) return [out];
      quantizedMatvec(format, x!.storage as Float32Array, x!.offset, m, k, quants!, scales!, n, out);
      return [out];
    }
    const panelRows = Math.max(1, Math.min(n, Math.floor(PANEL_VALUES / k)));
    if (panel.length < panelRows * k) panel = new Float32Array(panelRows * k);
    const a: TensorView = { storage: x!.storage, dtype: 'f32', shape: [m, k], strides: [k, 1], offset: x!.offset };
    for (let r0 = 0; r0 < n; r0 += panelRows) {
      const p = Math.min(panelRows, n - r0);
      dequantizeRows(format, k, quants!.storage as Int32Array, quants!.offset, scales!.storage as Uint16Array, scales!.offset, r0, p, panel);
      const b: TensorView = { storage: panel, dtype: 'f32', shape: [p, k], strides: [k, 1], offset: 0 };
      const part = matmulCpu(a, b, { transposeA: false, transposeB: true });
      for (let i = 0; i < m; i++) out.set(part.subarray(i * p, (i + 1) * p), i * n + r0);
    }
    return [out];
  },
};

const quantizedGather: KernelConfig<QuantAttrs> = {
  op: 'quantizedGather',
  backend: 'cpu',
  run: ({ inputs: [quants, scales, idx], attrs: { format } }) => {
    const { rows, cols } = weightDims(quants!, format);
    const nIdx = sizeOf(idx!.shape);
    const out = takeHostArray('f32', nIdx * cols);
    const ids = idx!.storage as Int32Array;
    for (let i = 0; i < nIdx; i++) {
      const id = ids[idx!.offset + i]!;
      if (id < 0 || id >= rows) throw new BackendError(`quantizedGather: index ${id} is outside [0, ${rows})`);
      dequantizeRows(format, cols, quants!.storage as Int32Array, quants!.offset, scales!.storage as Uint16Array, scales!.offset, id, 1, out, i * cols);
    }
    return [out];
  },
};

const dequantize: KernelConfig<QuantAttrs> = {
  op: 'dequantize',
  backend: 'cpu',
  run: ({ inputs: [quants, scales], attrs: { format } }) => {
    const { rows, cols } = weightDims(quants!, format);
    const out = takeHostArray('f32', rows * cols);
    dequantizeRows(format, cols, quants!.storage as Int32Array, quants!.offset, scales!.storage as Uint16Array, scales!.offset, 0, rows, out);
    return [out];
  },
};

export const quantizedKernels = [quantizedMatmul, quantizedGather, dequantize];
