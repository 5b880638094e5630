/**
 * Turns an evejs view (flat storage + shape/strides/offset) into a tf.Tensor of the view's shape.
 * Must be called inside `tf.tidy` (kernels do). Cheapest path first:
 * 1. dense: a slice of the flat storage, reshaped (no copy when it covers the whole storage);
 * 2. broadcast axes (stride 0) are read as size 1 and expanded with tf.broadcastTo at the end;
 * 3. a permuted and/or sliced window of a dense block (transposes, sliceAxis): slice a segment,
 *    reshape it to the parent block, slice the window, transpose;
 * 4. anything else: tf.gather with element offsets computed on the host.
 */
import { isDenseAs, sizeOf, stridedOffsets, type TensorView } from '@evejs/tensor/backend';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { Tf } from './tfjs-loader.js';

export function readView(tf: Tf, v: TensorView): TfTensor {
  const storage = v.storage as TfTensor;
  const shape = [...v.shape];
  const n = sizeOf(shape);
  if (n === 0) return tf.zeros(shape, storage.dtype);
  // Read broadcast axes once, expand at the end.
  const compact = shape.map((d, i) => (v.strides[i] === 0 ? 1 : d));
  const cv: TensorView = { ...v, shape: compact };
  let t: TfTensor;
  if (isDenseAs(cv, compact)) {
    const size = sizeOf(compact);
    const flat = v.offset === 0 && size === storage.size ? storage : tf.slice(storage, [v.offset], [size]);
    t = tf.reshape(flat, compact);
  } else {
    t = readWindow(tf, storage, cv) ?? tf.reshape(tf.gather(storage, tf.tensor1d(stridedOffsets(cv, compact), 'int32')), compact);
  }
  return compact.some((d, i) => d !== shape[i]) ? tf.broadcastTo(t, shape) : t;
}

/** Path 3: null when the strides do not describe a window of a dense block. */
function readWindow(tf: Tf, storage: TfTensor, v: TensorView): TfTensor | null {
  const axes = v.shape.map((_, i) => i).filter((i) => v.shape[i]! > 1);
  axes.sort((a, b) => v.strides[b]! - v.strides[a]!);
  const strides = axes.map((a) => v.strides[a]!);
  const sizes = axes.map((a) => v.shape[a]!);
  const inner = strides[strides.length - 1]!;
  if (inner < 1) return null;
  // Parent block dims: each axis spans the stride of the next-outer one.
  const parent = [sizes[0]!];
  for (let j = 1; j < axes.length; j++) {
    if (strides[j - 1]! % strides[j]! !== 0) return null;
    const p = strides[j - 1]! / strides[j]!;
    if (p < sizes[j]!) return null; // overlapping axes
    parent.push(p);
  }
  if (inner > 1) parent.push(inner);
  const length = sizeOf(parent);
  let seg = tf.slice(storage, [v.offset], [Math.min(length, storage.size - v.offset)]);
  if (seg.size < length) seg = tf.pad(seg, [[0, length - seg.size]]); // the window's last row ends early
  let block = tf.reshape(seg, parent);
  const size = inner > 1 ? [...sizes, 1] : sizes;
  block = tf.slice(block, size.map(() => 0), size);
  if (inner > 1) block = tf.reshape(block, sizes);
  // Axes are sorted by stride; put them back in the view's order.
  const order = [...axes].sort((a, b) => a - b);
  const perm = order.map((a) => axes.indexOf(a));
  if (perm.some((p, i) => p !== i)) block = tf.transpose(block, perm);
  return tf.reshape(block, [...v.shape]);
}
