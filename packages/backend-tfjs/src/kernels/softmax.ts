/**
 * softmax / logSoftmax along any axis: tf.softmax works on the last axis only, so other axes are
 * transposed there and back. logSoftmax is x − max − log Σ exp(x − max), as the CPU kernel.
 */
import type { AxisAttrs, KernelConfig } from '@evejs/tensor/backend';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { readView } from '../read-view.js';
import type { TfjsBackend } from '../tfjs-backend.js';
import type { Tf } from '../tfjs-loader.js';

function logSoftmaxLast(tf: Tf, x: TfTensor): TfTensor {
  const shifted = tf.sub(x, tf.max(x, -1, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
}

function softmaxKernel(backend: string, op: 'softmax' | 'logSoftmax'): KernelConfig<AxisAttrs, TfjsBackend> {
  return {
    op,
    backend,
    run: ({ inputs: [x], attrs: { axis }, outputs, backend: b }) =>
      b.run(outputs, () => {
        const tf = b.tf;
        let t = readView(tf, x!);
        if (t.rank === 0) t = tf.reshape(t, [1]);
        const last = t.rank - 1;
        const perm = t.shape.map((_, i) => (i === axis ? last : i === last ? axis : i));
        const moved = axis === last ? t : tf.transpose(t, perm);
        const y = op === 'softmax' ? tf.softmax(moved) : logSoftmaxLast(tf, moved);
        return axis === last ? y : tf.transpose(y, perm);
      }),
  };
}

export function softmaxKernels(backend: string): KernelConfig<never, TfjsBackend>[] {
  return [softmaxKernel(backend, 'softmax'), softmaxKernel(backend, 'logSoftmax')] as KernelConfig<never, TfjsBackend>[];
}
