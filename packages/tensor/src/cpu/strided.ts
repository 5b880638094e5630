/**
 * Walking strided views on the CPU. A view (storage, shape, strides, offset) is read in row-major
 * order of an output shape it broadcasts to: the innermost axis is a simple strided loop and the
 * outer axes advance an odometer, so broadcast and transposed inputs cost no copies.
 *
 * `planLoop` is what the kernels use: it drops size-1 axes and merges adjacent axes that every
 * operand walks with one stride, so a dense tensor, a scalar broadcast or a dense tensor plus a
 * scalar become a single inner loop, and a bias broadcast over rows becomes rows × one inner
 * loop. Nothing per element is allocated. `stridedOffsets` (one offset per element) stays for
 * backends that gather by index (tfjs) and as the simple reference.
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
  if (view.shape.length !== shape.length) return false;
  for (let i = 0; i < shape.length; i++) if (view.shape[i] !== shape[i]) return false;
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && view.strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

/**
 * A row-major walk of an output shape over several operand views, with axes merged: `shape` has
 * at least one axis (the last is the inner loop), `strides[k]` are operand k's element strides
 * (0 on broadcast axes) and `offsets[k]` its starting offset. The output is written densely.
 */
export interface LoopPlan {
  readonly shape: number[];
  readonly strides: number[][];
  readonly offsets: number[];
  /** Total elements (product of `shape`). */
  readonly size: number;
}

/** Plans the walk of `views` broadcast to `shape` (see LoopPlan). */
export function planLoop(views: readonly TensorView[], shape: readonly number[]): LoopPlan {
  const rank = shape.length;
  const all = views.map((v) => broadcastStrides(v.shape, v.strides, shape));
  const outShape: number[] = [];
  const outStrides: number[][] = views.map(() => []);
  // From the innermost axis outwards: skip size-1 axes, merge an axis into the one inside it when
  // every operand's stride continues (stride[d] = stride[d+1] · size[d+1]).
  for (let d = rank - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    if (merge) {
      for (let k = 0; k < views.length; k++) {
        if (all[k]![d] !== outStrides[k]![last]! * outShape[last]!) {
          merge = false;
          break;
        }
      }
    }
    if (merge) {
      outShape[last] = outShape[last]! * size;
    } else {
      outShape.push(size);
      for (let k = 0; k < views.length; k++) outStrides[k]!.push(all[k]![d]!);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  outShape.reverse();
  for (const s of outStrides) s.reverse();
  return { shape: outShape, strides: outStrides, offsets: views.map((v) => v.offset), size: sizeOf(shape) };
}

/**
 * Calls `row(starts, outStart, length)` for each inner row of a plan: `starts[k]` is operand k's
 * offset at the row start (the array is reused between calls), `outStart` the dense output index.
 */
export function forEachRow(plan: LoopPlan, row: (starts: number[], outStart: number, length: number) => void): void {
  const { shape, strides, offsets, size } = plan;
  if (size === 0) return;
  const r = shape.length;
  const inner = shape[r - 1]!;
  const nOps = offsets.length;
  const starts = offsets.slice();
  if (r === 1) {
    row(starts, 0, inner);
    return;
  }
  const idx = new Array<number>(r - 1).fill(0);
  for (let o = 0; o < size; o += inner) {
    row(starts, o, inner);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) {
        for (let k = 0; k < nOps; k++) starts[k]! += strides[k]![d]!;
        break;
      }
      idx[d] = 0;
      for (let k = 0; k < nOps; k++) starts[k]! -= strides[k]![d]! * (shape[d]! - 1);
    }
  }
}
