/**
 * matmul through tf.matMul with the transposes passed through. tfjs 4.22's BatchMatMul gets
 * broadcast batch shapes wrong on wasm ([2,1,3,5]×[3,5,4] gives 2 batches, not 6), so batches
 * are made explicit: a 2-D `b` (a linear layer's weight) folds a's batch into its rows, and
 * otherwise both operands are broadcast to the full batch and flattened to one batch axis.
 * f16/bf16 `b` is already stored decoded as float32.
 */
import { type KernelConfig, type MatmulAttrs, matmulDims, sizeOf } from '@evejs/tensor/backend';
import { readView } from '../read-view.js';
import type { TfjsBackend } from '../tfjs-backend.js';

export function matmulKernel(backend: string): KernelConfig<MatmulAttrs, TfjsBackend> {
  return {
    op: 'matmul',
    backend,
    run: ({ inputs: [a, c], attrs, outputs, backend: b }) =>
      b.run(outputs, () => {
        const tf = b.tf;
        const { m, k, n, batch } = matmulDims(a!.shape, c!.shape, attrs);
        const out = [...outputs[0]!.shape];
        if (sizeOf(out) === 0) return tf.zeros(out);
        if (k === 0) return tf.zeros(out); // an empty sum
        const x = readView(tf, a!);
        const y = readView(tf, c!);
        if (c!.shape.length === 2 && !attrs.transposeA) {
          // (B·M, K) · (K, N): one 2-D product, no copies of the weight.
          return tf.reshape(tf.matMul(tf.reshape(x, [-1, k]), y, false, attrs.transposeB), out);
        }
        const nb = sizeOf(batch);
        const flat = (t: typeof x, rows: number, cols: number) =>
          tf.reshape(tf.broadcastTo(t, [...batch, rows, cols]), [nb, rows, cols]);
        const xa = attrs.transposeA ? flat(x, k, m) : flat(x, m, k);
        const yb = attrs.transposeB ? flat(y, n, k) : flat(y, k, n);
        return tf.reshape(tf.matMul(xa, yb, attrs.transposeA, attrs.transposeB), out);
      }),
  };
}
