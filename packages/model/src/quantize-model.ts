/**
 * Quantising a model already in memory (freshly initialised, trained, or loaded in f32): every
 * matrix the quantised kernels can read is replaced by its q8_0 / q4_0 `QuantizedMatrix` on the
 * same backend, and its float tensor is freed. Loading a checkpoint with `dtype: 'q8_0'` does the
 * same tensor by tensor without ever holding the float model; this is for models built in code.
 */
import { type QuantFormat, quantizeHostMatrix } from '@evejs/tensor';
import { isQuantizedSlot, type Module } from './module.js';

/** Quantises `model`'s matrices in place; returns how many were quantised. */
export async function quantizeModel(model: Module, format: QuantFormat): Promise<number> {
  let n = 0;
  for (const [key, slot] of model.namedParameters()) {
    const t = slot.tensor;
    if (!t || !isQuantizedSlot(slot)) continue;
    model.setQuantized(key, quantizeHostMatrix(await t.rawData(), t.dtype, t.shape, format, t.backend));
    n++;
  }
  return n;
}
