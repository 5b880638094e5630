/** sum, max and argmax through tf.sum / tf.max / tf.argMax (sums accumulate in f32, unlike the CPU's f64). */
import type { ArgmaxAttrs, KernelConfig, ReduceAttrs } from '@evejs/tensor/backend';
import { readView } from '../read-view.js';
import type { TfjsBackend } from '../tfjs-backend.js';

type Config<A> = KernelConfig<A, TfjsBackend>;

function sum(backend: string): Config<ReduceAttrs> {
  return {
    op: 'sum',
    backend,
    run: ({ inputs: [x], attrs: { axes }, outputs, backend: b }) => b.run(outputs, () => b.tf.sum(readView(b.tf, x!), [...axes])),
  };
}

function max(backend: string): Config<ReduceAttrs> {
  return {
    op: 'max',
    backend,
    run: ({ inputs: [x], attrs: { axes }, outputs, backend: b }) =>
      b.run(outputs, () => {
        const tf = b.tf;
        const t = readView(tf, x!);
        const m = tf.max(t, [...axes]);
        if (t.dtype !== 'float32') return m;
        // The reference returns NaN for a slice that holds one; tf.max may skip it.
        return tf.where(tf.any(tf.isNaN(t), [...axes]), tf.scalar(NaN), m);
      }),
  };
}

function argmax(backend: string): Config<ArgmaxAttrs> {
  return {
    op: 'argmax',
    backend,
    run: ({ inputs: [x], attrs: { axis }, outputs, backend: b }) => b.run(outputs, () => b.tf.argMax(readView(b.tf, x!), axis)),
  };
}

export function reduceKernels(backend: string): KernelConfig<never, TfjsBackend>[] {
  return [sum(backend), max(backend), argmax(backend)] as KernelConfig<never, TfjsBackend>[];
}
