/** Rotary embedding, rotate-half form: y = x·cos + concat(−x₂, x₁)·sin; cos/sin broadcast to x. */
import type { KernelConfig } from '@evejs/tensor/backend';
import { readView } from '../read-view.js';
import type { TfjsBackend } from '../tfjs-backend.js';

export function ropeKernel(backend: string): KernelConfig<unknown, TfjsBackend> {
  return {
    op: 'rope',
    backend,
    run: ({ inputs: [x, cos, sin], outputs, backend: b }) =>
      b.run(outputs, () => {
        const tf = b.tf;
        const t = readView(tf, x!);
        const [x1, x2] = tf.split(t, 2, -1) as [typeof t, typeof t];
        const rotated = tf.concat([tf.neg(x2), x1], -1);
        return tf.add(tf.mul(t, readView(tf, cos!)), tf.mul(rotated, readView(tf, sin!)));
      }),
  };
}
