/** layerNorm and rmsNorm over the last axis, composed from tfjs ops (statistics in f32). */
import type { KernelConfig, NormAttrs } from '@evejs/tensor/backend';
import { readView } from '../read-view.js';
import type { TfjsBackend } from '../tfjs-backend.js';

function layerNorm(backend: string): KernelConfig<NormAttrs, TfjsBackend> {
  return {
    op: 'layerNorm',
    backend,
    run: ({ inputs: [x, w, c], attrs: { eps }, outputs, backend: b }) =>
      b.run(outputs, () => {
        const tf = b.tf;
        const t = readView(tf, x!);
        const xc = tf.sub(t, tf.mean(t, -1, true));
        const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps)); // biased variance, as PyTorch
        return tf.add(tf.mul(tf.mul(xc, rstd), readView(tf, w!)), readView(tf, c!));
      }),
  };
}

function rmsNorm(backend: string): KernelConfig<NormAttrs, TfjsBackend> {
  return {
    op: 'rmsNorm',
    backend,
    run: ({ inputs: [x, w], attrs: { eps }, outputs, backend: b }) =>
      b.run(outputs, () => {
        const tf = b.tf;
        const t = readView(tf, x!);
        const r = tf.rsqrt(tf.add(tf.mean(tf.square(t), -1, true), eps));
        return tf.mul(tf.mul(t, r), readView(tf, w!));
      }),
  };
}

export function normKernels(backend: string): KernelConfig<never, TfjsBackend>[] {
  return [layerNorm(backend), rmsNorm(backend)] as KernelConfig<never, TfjsBackend>[];
}
