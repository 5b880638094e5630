/**
 * Quantised weight matrices (q8_0, q4_0: ../quantize.ts) and the three ops that read them:
 * `quantizedMatmul` (x·Wᵀ, the Linear layer), `quantizedGather` (rows of an embedding table) and
 * `dequantize`. A `QuantizedMatrix` is two ordinary tensors — packed i32 quants and f16 scales —
 * so every backend stores it at its packed size with no new dtype, and only these ops know the
 * block layout. Kernels decode blocks on the fly and compute in f32.
 *
 * Quantised weights are for inference: they take no gradient themselves, but gradients flow
 * through `quantizedMatmul` to its input x (dx = dy·W), so a quantised model can still be probed.
 */
import { engine } from '../engine.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { DType, HostArray } from '../dtype.js';
import { hostReader } from '../dtype.js';
import { defineOp } from '../op.js';
import { checkQuantizable, QUANT_BLOCK, quantizeHost, type QuantFormat, valuesPerWord } from '../quantize.js';
import { shapeStr } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { fromRaw } from './creation.js';
import { matmul } from './matmul.js';
import { requireDType } from './util.js';

export interface QuantAttrs {
  format: QuantFormat;
}

/** A [rows, cols] weight matrix stored block-quantised. Owns its two tensors. */
export class QuantizedMatrix {
  constructor(
    readonly format: QuantFormat,
    /** [rows, cols / valuesPerWord(format)] i32 packed quants. */
    readonly quants: Tensor,
    /** [rows, cols / 32] f16 scales. */
    readonly scales: Tensor,
  ) {
    checkParts('QuantizedMatrix', quants, scales, format);
  }
  get rows(): number {
    return this.quants.shape[0]!;
  }
  get cols(): number {
    return this.quants.shape[1]! * valuesPerWord(this.format);
  }
  /** The logical shape [rows, cols]. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }
  get backend(): string {
    return this.quants.backend;
  }
  /** Bytes of quants and scales. */
  get byteLength(): number {
    return this.quants.size * 4 + this.scales.size * 2;
  }
  get isDisposed(): boolean {
    return this.quants.isDisposed;
  }
  dispose(): void {
    this.quants.dispose();
    this.scales.dispose();
  }
}

function checkParts(op: string, quants: Tensor, scales: Tensor, format: QuantFormat): void {
  requireDType(op, quants, ['i32']);
  requireDType(op, scales, ['f16']);
  if (quants.rank !== 2 || scales.rank !== 2 || quants.shape[0] !== scales.shape[0] || quants.shape[1]! * valuesPerWord(format) !== scales.shape[1]! * QUANT_BLOCK) {
    throw new ShapeError(`${op}: ${format} quants ${shapeStr(quants.shape)} and scales ${shapeStr(scales.shape)} do not describe one matrix`);
  }
}

/**
 * Quantises host values (any dtype's host array, e.g. f16 bit patterns straight from a
 * checkpoint) of a row-major [rows, cols] matrix and places the result on `backend`.
 */
export function quantizeHostMatrix(values: HostArray, dtype: DType, shape: readonly number[], format: QuantFormat, backend?: string): QuantizedMatrix {
  if (shape.length !== 2) throw new ShapeError(`quantize: only matrices are quantised, got ${shapeStr(shape)}`);
  const [rows, cols] = shape as [number, number];
  checkQuantizable(cols, `quantize ${shapeStr(shape)}`);
  if (dtype === 'bool' || dtype === 'u8' || dtype === 'i32') throw new DTypeError(`quantize: ${dtype} values are not weights`);
  const q = quantizeHost(format, rows, cols, hostReader(values, dtype));
  return new QuantizedMatrix(format, fromRaw(q.quants, [rows, cols / valuesPerWord(format)], 'i32', backend), fromRaw(q.scales, [rows, cols / QUANT_BLOCK], 'f16', backend));
}

/**
 * Quantises a float matrix tensor (read synchronously: CPU tensors, or any backend that can).
 * @example const w8 = quantize(linear.weight, 'q8_0'); const y = quantizedMatmul(x, w8);
 */
export function quantize(t: Tensor, format: QuantFormat): QuantizedMatrix {
  return quantizeHostMatrix(t.rawDataSync(), t.dtype, t.shape, format, t.backend);
}

export const quantizedMatmulOp = defineOp<QuantAttrs>({
  name: 'quantizedMatmul',
  infer: ([x, quants, scales], { format }) => {
    requireDType('quantizedMatmul', x!, ['f32']);
    checkParts('quantizedMatmul', quants!, scales!, format);
    const cols = quants!.shape[1]! * valuesPerWord(format);
    if (x!.rank < 1 || x!.shape[x!.rank - 1] !== cols) {
      throw new ShapeError(`quantizedMatmul: x ${shapeStr(x!.shape)} needs a last dimension of ${cols} (the weight is [${quants!.shape[0]}, ${cols}])`);
    }
    return [{ shape: [...x!.shape.slice(0, -1), quants!.shape[0]!], dtype: 'f32' }];
  },
  grad: ({ inputs: [, quants, scales], attrs, dys: [dy] }) => [matmul(dy!, dequantizeParts(quants!, scales!, attrs.format)), null, null],
});

/** x [..., cols] · Wᵀ → [..., rows]: a Linear layer with a quantised weight. */
export function quantizedMatmul(x: Tensor, w: QuantizedMatrix): Tensor {
  return engine.runOp(quantizedMatmulOp, [x, w.quants, w.scales], { format: w.format })[0]!;
}

export const quantizedGatherOp = defineOp<QuantAttrs>({
  name: 'quantizedGather',
  infer: ([quants, scales, ids], { format }) => {
    checkParts('quantizedGather', quants!, scales!, format);
    requireDType('quantizedGather', ids!, ['i32']);
    return [{ shape: [...ids!.shape, quants!.shape[1]! * valuesPerWord(format)], dtype: 'f32' }];
  },
});

/** Rows of a quantised table, as f32: the embedding lookup. An id outside [0, rows) is an error. */
export function quantizedGather(table: QuantizedMatrix, ids: Tensor): Tensor {
  return engine.runOp(quantizedGatherOp, [table.quants, table.scales, ids], { format: table.format })[0]!;
}

export const dequantizeOp = defineOp<QuantAttrs>({
  name: 'dequantize',
  infer: ([quants, scales], { format }) => {
    checkParts('dequantize', quants!, scales!, format);
    return [{ shape: [quants!.shape[0]!, quants!.shape[1]! * valuesPerWord(format)], dtype: 'f32' }];
  },
});

function dequantizeParts(quants: Tensor, scales: Tensor, format: QuantFormat): Tensor {
  return engine.runOp(dequantizeOp, [quants, scales], { format })[0]!;
}

/** The f32 [rows, cols] matrix a quantised one stands for. */
export function dequantize(w: QuantizedMatrix): Tensor {
  return dequantizeParts(w.quants, w.scales, w.format);
}
