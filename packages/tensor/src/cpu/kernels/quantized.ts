/**
 * CPU kernels of the quantised ops. quantizedMatmul dequantises the weight a panel of rows at a
 * time (a few MiB of f32, reused across calls) and hands each panel to the regular CPU matmul
 * (WASM SIMD over worker threads), so the full f32 weight never exists: memory stays at the
 * quantised size, and prefill gets the fast kernel. Decoding spends most of its time in the
 * dequantisation loop, which is single-threaded TypeScript.
 */
import { BackendError } from '../../errors.js';
import type { KernelConfig, TensorView } from '../../kernel-registry.js';
import type { QuantAttrs } from '../../ops/quantized.js';
import { dequantizeRows, valuesPerWord } from '../../quantize.js';
import { sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';
import { matmulCpu } from './matmul.js';

/** f32 values dequantised per panel (8 MiB). */
const PANEL_VALUES = 1 << 21;
let panel = new Float32Array(0);

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
