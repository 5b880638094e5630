/**
 * Walking strided views on the CPU. A view (storage, shape, strides, offset) is read in row-major
 * order of an output shape it broadcasts to: the innermost axis is a simple strided loop and the
 * outer axes advance an odometer, so broadcast and transposed inputs cost no copies.
 */
import type { TensorView } from '../kernel-registry.js';
import { broadcastStrides, sizeOf } from '../shape.js';

/** Element offsets (into storage) of `view` read in row-major order of `shape`. */
export function stridedOffsets(view: TensorView, shape: readonly number[]): Int32Array {
  const n = sizeOf(shape);
  const strides = broadcastStrides(view.shape, view.strides, shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  if (rank === 0) {
    out[0] = view.offset;
    return out;
  }
  const inner = shape[rank - 1]!;
  const si = strides[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let base = view.offset;
  let o = 0;
  while (o < n) {
    for (let j = 0; j < inner; j++) out[o++] = base + j * si;
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
    if (rank === 1) break;
  }
  return out;
}

/** True if the view reads its storage densely in row-major order of `shape` (no broadcast). */
export function isDenseAs(view: TensorView, shape: readonly number[]): boolean {
  if (view.shape.length !== shape.length || view.shape.some((d, i) => d !== shape[i])) return false;
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && view.strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}
