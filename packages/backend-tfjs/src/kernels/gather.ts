/**
 * gather (tf.gather on axis 0), scatterAdd (tf.scatterND, which sums duplicate indices) and
 * oneHot. Indices are bounds-checked with one small synchronous read, because tfjs's wasm gather
 * does not check them and the reference throws.
 */
import { BackendError } from '@evejs/tensor';
import { type KernelConfig, type OneHotAttrs, type ScatterAddAttrs, sizeOf, type TensorView } from '@evejs/tensor/backend';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { readView } from '../read-view.js';
import type { TfjsBackend } from '../tfjs-backend.js';

/** Flat i32 indices, checked against [0, rows). */
function checkedIndices(b: TfjsBackend, idx: TensorView, rows: number, op: string): TfTensor {
  const tf = b.tf;
  const flat = tf.reshape(readView(tf, idx), [-1]);
  if (flat.size > 0) {
    const [lo, hi] = tf.stack([tf.min(flat), tf.max(flat)]).dataSync();
    if (lo! < 0 || hi! >= rows) throw new BackendError(`${op}: index ${lo! < 0 ? lo : hi} is outside [0, ${rows})`);
  }
  return flat;
}

function gather(backend: string): KernelConfig<unknown, TfjsBackend> {
  return {
    op: 'gather',
    backend,
    run: ({ inputs: [table, idx], outputs, backend: b }) =>
      b.run(outputs, () => {
        const tf = b.tf;
        const rows = table!.shape[0]!;
        const ids = checkedIndices(b, idx!, rows, 'gather');
        const t = readView(tf, table!);
        return tf.gather(tf.reshape(t, [rows, -1]), ids);
      }),
  };
}

function scatterAdd(backend: string): KernelConfig<ScatterAddAttrs, TfjsBackend> {
  return {
    op: 'scatterAdd',
    backend,
    run: ({ inputs: [upd, idx], attrs: { rows }, outputs, backend: b }) =>
      b.run(outputs, () => {
        const tf = b.tf;
        const row = sizeOf(outputs[0]!.shape.slice(1));
        const ids = checkedIndices(b, idx!, rows, 'scatterAdd');
        if (ids.size === 0 || row === 0) return tf.zeros([rows * row]);
        const u = tf.reshape(readView(tf, upd!), [ids.size, row]);
        return tf.scatterND(tf.reshape(ids, [-1, 1]), u, [rows, row]);
      }),
  };
}

function oneHot(backend: string): KernelConfig<OneHotAttrs, TfjsBackend> {
  return {
    op: 'oneHot',
    backend,
    run: ({ inputs: [idx], attrs: { depth }, outputs, backend: b }) =>
      // Made as int32 and cast: wasm's OneHot writes int32 bits even when asked for float32 (tfjs 4.22).
      b.run(outputs, () => b.tf.cast(b.tf.oneHot(b.tf.reshape(readView(b.tf, idx!), [-1]), depth), 'float32')),
  };
}

export function gatherKernels(backend: string): KernelConfig<never, TfjsBackend>[] {
  return [gather(backend), scatterAdd(backend), oneHot(backend)] as KernelConfig<never, TfjsBackend>[];
}
