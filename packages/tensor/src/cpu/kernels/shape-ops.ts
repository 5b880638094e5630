/** CPU concat and pad over contiguous inputs (raw values, so any dtype). */
import { f32ToBf16Bits, f32ToF16Bits, type HostArray } from '../../dtype.js';
import type { KernelConfig } from '../../kernel-registry.js';
import type { ConcatAttrs, PadAttrs } from '../../ops/shape-ops.js';
import { contiguousStrides, sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';

const concat: KernelConfig<ConcatAttrs> = {
  op: 'concat',
  backend: 'cpu',
  run: ({ inputs, attrs: { axis }, outputs: [o] }) => {
    const out = takeHostArray(o!.dtype, sizeOf(o!.shape)); // every element is copied in
    const outer = sizeOf(o!.shape.slice(0, axis));
    const inner = sizeOf(o!.shape.slice(axis + 1));
    const rowOut = o!.shape[axis]! * inner;
    let col = 0;
    for (const x of inputs) {
      const chunk = x.shape[axis]! * inner;
      const data = x.storage as HostArray;
      for (let r = 0; r < outer; r++) {
        out.set(data.subarray(x.offset + r * chunk, x.offset + (r + 1) * chunk) as never, r * rowOut + col);
      }
      col += chunk;
    }
    return [out];
  },
};

const pad: KernelConfig<PadAttrs> = {
  op: 'pad',
  backend: 'cpu',
  run: ({ inputs: [x], attrs: { pads, value }, outputs: [o] }) => {
    const out = takeHostArray(o!.dtype, sizeOf(o!.shape));
    const fill = o!.dtype === 'f16' ? f32ToF16Bits(value) : o!.dtype === 'bf16' ? f32ToBf16Bits(value) : value;
    out.fill(fill); // a pooled array is not zeroed
    const data = x!.storage as HostArray;
    const shape = x!.shape;
    const n = sizeOf(shape);
    if (n === 0) return [out];
    const os = contiguousStrides(o!.shape);
    const rank = shape.length;
    if (rank === 0) {
      out[0] = data[x!.offset]!;
      return [out];
    }
    const inner = shape[rank - 1]!;
    const idx = new Array<number>(rank).fill(0);
    for (let src = 0; src < n; src += inner) {
      let dst = 0;
      for (let d = 0; d < rank; d++) dst += (idx[d]! + pads[d]![0]) * os[d]!;
      out.set(data.subarray(x!.offset + src, x!.offset + src + inner) as never, dst);
      for (let d = rank - 2; d >= 0; d--) {
        if (++idx[d]! < shape[d]!) break;
        idx[d] = 0;
      }
    }
    return [out];
  },
};

export const shapeOpKernels = [concat, pad] as KernelConfig[];
