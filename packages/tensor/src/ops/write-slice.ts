/**
 * writeSlice: the one in-place op. It copies `src` into `dst`'s positions [start, start + len)
 * along one axis by writing `dst`'s storage, so every view of that storage sees the new values.
 * It exists for buffers that are filled a piece at a time and read as views, above all the KV
 * cache, where the alternative (concat every step) copies the whole history per token.
 *
 * It is deliberately not differentiable: a write would have to invalidate what the autograd graph
 * saved, so the engine refuses inputs that require grad and targets the graph still needs.
 */
import { engine } from '../engine.js';
import { DTypeError, ShapeError } from '../errors.js';
import { defineOp } from '../op.js';
import { normalizeAxis, shapeStr } from '../shape.js';
import type { Tensor } from '../tensor.js';

export interface WriteSliceAttrs {
  /** Axis of `dst` the slice runs along (normalised, ≥ 0). */
  axis: number;
  /** First position written along `axis`. */
  start: number;
}

export const writeSliceOp = defineOp<WriteSliceAttrs>({
  name: 'writeSlice',
  // Kernels write through dst's strides and read src's, so neither is copied first.
  stridedInputs: true,
  mutatesInput: true,
  infer: ([dst, src], { axis, start }) => {
    const what = `src ${shapeStr(src!.shape)} into dst ${shapeStr(dst!.shape)} at axis ${axis}, start ${start}`;
    if (dst!.dtype !== src!.dtype) throw new DTypeError(`writeSlice: ${what}: dtypes differ (${src!.dtype} into ${dst!.dtype})`);
    if (src!.rank !== dst!.rank) throw new ShapeError(`writeSlice: ${what}: ranks differ`);
    for (let d = 0; d < dst!.rank; d++) {
      if (d !== axis && src!.shape[d] !== dst!.shape[d]) throw new ShapeError(`writeSlice: ${what}: axis ${d} differs`);
    }
    const len = src!.shape[axis]!;
    if (!Number.isInteger(start) || start < 0 || start + len > dst!.shape[axis]!) {
      throw new ShapeError(`writeSlice: ${what}: positions [${start}, ${start + len}) are outside [0, ${dst!.shape[axis]})`);
    }
    return [];
  },
});

/**
 * Copies `src` into `dst` at positions [start, start + src.shape[axis]) along `axis`, in place:
 * `dst`'s storage changes, and so does every view of it. Other axes must match; dtypes must be
 * equal. Neither tensor may require grad (the write is not recorded for autograd), and since
 * tensors carry no version counter, other views of `dst` that a recorded graph saved would see
 * the write too: fill buffers under `noGrad` (as the KV cache does), not between forward and
 * backward.
 * @example
 * const cache = zeros([1, 8, 512, 64]);          // [B, heads, maxLength, headDim]
 * writeSlice(cache, k, 2, length);               // k [1, 8, T, 64] at positions length…length+T−1
 * const keys = sliceAxis(cache, 2, 0, length + T); // the filled prefix, a view
 */
export function writeSlice(dst: Tensor, src: Tensor, axis: number, start: number): void {
  engine.runOp(writeSliceOp, [dst, src], { axis: normalizeAxis(axis, dst.rank, 'writeSlice'), start });
}
