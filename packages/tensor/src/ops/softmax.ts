/**
 * softmax and logSoftmax along one axis, computed stably (max subtracted) by the kernels.
 */
import { engine } from '../engine.js';
import { defineOp } from '../op.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { exp, mul, sub } from './elementwise.js';
import { sum } from './reduce.js';
import { requireDType } from './util.js';

export interface AxisAttrs {
  axis: number;
}

export const softmaxOp = defineOp<AxisAttrs>({
  name: 'softmax',
  infer: ([x]) => {
    requireDType('softmax', x!, ['f32']);
    return [{ shape: x!.shape, dtype: 'f32' }];
  },
  // dx = y · (dy − Σ dy·y)
  grad: ({ outputs: [y], attrs: { axis }, dys: [dy] }) => [mul(y!, sub(dy!, sum(mul(dy!, y!), axis, true)))],
});

export const logSoftmaxOp = defineOp<AxisAttrs>({
  name: 'logSoftmax',
  infer: ([x]) => {
    requireDType('logSoftmax', x!, ['f32']);
    return [{ shape: x!.shape, dtype: 'f32' }];
  },
  // dx = dy − softmax · Σ dy
  grad: ({ outputs: [y], attrs: { axis }, dys: [dy] }) => [sub(dy!, mul(exp(y!), sum(dy!, axis, true)))],
});

/** Softmax along `axis` (default last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return engine.runOp(softmaxOp, [x], { axis: normalizeAxis(axis, x.rank, 'softmax') })[0]!;
}

/** log(softmax(x)) along `axis`, computed without overflow. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return engine.runOp(logSoftmaxOp, [x], { axis: normalizeAxis(axis, x.rank, 'logSoftmax') })[0]!;
}
