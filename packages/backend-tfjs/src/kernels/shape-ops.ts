/** concat and pad (any dtype: f16/bf16 are stored decoded, so the pad value is rounded to them first). */
import { bf16BitsToF32, type ConcatAttrs, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits, type KernelConfig, type PadAttrs } from '@evejs/tensor/backend';
import { readView } from '../read-view.js';
import type { TfjsBackend } from '../tfjs-backend.js';

function concat(backend: string): KernelConfig<ConcatAttrs, TfjsBackend> {
  return {
    op: 'concat',
    backend,
    run: ({ inputs, attrs: { axis }, outputs, backend: b }) =>
      b.run(outputs, () => {
        const parts = inputs.filter((v) => v.shape[axis] !== 0).map((v) => readView(b.tf, v));
        if (parts.length === 0) return b.tf.zeros([...outputs[0]!.shape]);
        return parts.length === 1 ? parts[0]! : b.tf.concat(parts, axis);
      }),
  };
}

function pad(backend: string): KernelConfig<PadAttrs, TfjsBackend> {
  return {
    op: 'pad',
    backend,
    run: ({ inputs: [x], attrs: { pads, value }, outputs, backend: b }) => {
      const dtype = outputs[0]!.dtype;
      let fill = value;
      if (dtype === 'f16') fill = f16BitsToF32(f32ToF16Bits(value));
      else if (dtype === 'bf16') fill = bf16BitsToF32(f32ToBf16Bits(value));
      else if (dtype === 'i32') fill = value | 0;
      else if (dtype === 'u8' || dtype === 'bool') fill = value & 0xff;
      return b.run(outputs, () => {
        const t = readView(b.tf, x!);
        if (t.rank === 0) return t;
        // tfjs pads float32/int32 only: pad bools as int32.
        const src = t.dtype === 'bool' ? b.tf.cast(t, 'int32') : t;
        return b.tf.pad(src, pads.map(([l, r]) => [l, r] as [number, number]), fill);
      });
    },
  };
}

export function shapeOpKernels(backend: string): KernelConfig<never, TfjsBackend>[] {
  return [concat(backend), pad(backend)] as KernelConfig<never, TfjsBackend>[];
}
