/**
 * Index ops: gather (rows of a table: the embedding lookup), its gradient scatterAdd, and oneHot.
 * Indices are i32. Tables may be stored in f16/bf16; gathered rows come out as f32.
 */
import { engine } from '../engine.js';
import { DTypeError, ShapeError } from '../errors.js';
import { defineOp } from '../op.js';
import type { Tensor } from '../tensor.js';
import { cast } from './elementwise.js';
import { requireDType } from './util.js';

export const gatherOp = defineOp<Record<string, never>>({
  name: 'gather',
  infer: ([table, idx]) => {
    requireDType('gather', idx!, ['i32']);
    if (table!.rank < 1) throw new ShapeError('gather: the table needs rank ≥ 1');
    if (table!.dtype === 'bool' || table!.dtype === 'u8') throw new DTypeError(`gather: table dtype ${table!.dtype} is not supported`);
    const dtype = table!.dtype === 'i32' ? 'i32' : 'f32';
    return [{ shape: [...idx!.shape, ...table!.shape.slice(1)], dtype }];
  },
  grad: ({ inputs: [table, idx], dys: [dy] }) => {
    const g = scatterAdd(dy!, idx!, table!.shape[0]!);
    return [table!.dtype === 'f32' ? g : cast(g, table!.dtype), null];
  },
});

/**
 * Rows of `table` at `indices` (axis 0): out[...i, ...] = table[indices[...i], ...].
 * An index outside [0, rows) is an error reported by the kernel.
 * @example gather(embedTokens, ids) // [V, D] and [B, T] → [B, T, D]
 */
export function gather(table: Tensor, indices: Tensor): Tensor {
  return engine.runOp(gatherOp, [table, indices], {})[0]!;
}

export interface ScatterAddAttrs {
  rows: number;
}

export const scatterAddOp = defineOp<ScatterAddAttrs>({
  name: 'scatterAdd',
  infer: ([upd, idx], { rows }) => {
    requireDType('scatterAdd', upd!, ['f32']);
    requireDType('scatterAdd', idx!, ['i32']);
    const lead = idx!.rank;
    if (upd!.rank < lead || idx!.shape.some((d, i) => upd!.shape[i] !== d)) {
      throw new ShapeError('scatterAdd: updates must start with the indices shape');
    }
    return [{ shape: [rows, ...upd!.shape.slice(lead)], dtype: 'f32' }];
  },
  grad: ({ inputs: [, idx], dys: [dy] }) => [gather(dy!, idx!), null],
});

/** Zeros of [rows, ...] with each update row added at its index (gather's gradient). */
export function scatterAdd(updates: Tensor, indices: Tensor, rows: number): Tensor {
  return engine.runOp(scatterAddOp, [updates, indices], { rows })[0]!;
}

export interface OneHotAttrs {
  depth: number;
}

export const oneHotOp = defineOp<OneHotAttrs>({
  name: 'oneHot',
  infer: ([idx], { depth }) => {
    requireDType('oneHot', idx!, ['i32']);
    return [{ shape: [...idx!.shape, depth], dtype: 'f32' }];
  },
});

/** f32 one-hot rows of length `depth`; an index outside [0, depth) gives a zero row (ignored targets). */
export function oneHot(indices: Tensor, depth: number): Tensor {
  return engine.runOp(oneHotOp, [indices], { depth })[0]!;
}
