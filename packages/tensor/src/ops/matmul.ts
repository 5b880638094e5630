/**
 * Batched matrix multiply with either side transposed and NumPy-broadcast batch dimensions:
 * a [..., M, K] (or [..., K, M] with transposeA) times b [..., K, N] (or [..., N, K] with
 * transposeB). `b` may be stored in f16/bf16 (weights); kernels dequantise on the fly and
 * accumulate in f32. Linear layers use transposeB, so PyTorch's [out, in] weights need no copy.
 * Operands whose matrices are dense but whose batch axes stride freely (a slice of a longer
 * buffer along a batch-internal axis, as the KV cache hands out) reach the kernels uncopied.
 */
import { engine } from '../engine.js';
import { DTypeError, ShapeError } from '../errors.js';
import { defineOp } from '../op.js';
import { broadcastShapes, broadcastStrides, shapeStr } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './elementwise.js';
import { sumToShape } from './reduce.js';
import { reshape } from './views.js';

export interface MatmulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** The M, K, N and broadcast batch shape of a matmul. */
export function matmulDims(a: readonly number[], b: readonly number[], { transposeA, transposeB }: MatmulAttrs) {
  if (a.length < 2 || b.length < 2) throw new ShapeError(`matmul: inputs need rank ≥ 2, got ${shapeStr(a)} and ${shapeStr(b)}`);
  const m = a[a.length - (transposeA ? 1 : 2)]!;
  const k = a[a.length - (transposeA ? 2 : 1)]!;
  const kb = b[b.length - (transposeB ? 1 : 2)]!;
  const n = b[b.length - (transposeB ? 2 : 1)]!;
  if (k !== kb) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${shapeStr(a)}${transposeA ? 'ᵀ' : ''} × ${shapeStr(b)}${transposeB ? 'ᵀ' : ''} (${k} vs ${kb})`,
    );
  }
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2));
  return { m, k, n, batch };
}

/**
 * True when the matrices of `x` (its last two axes) are dense row-major, whatever the strides of
 * its batch axes: what every matmul kernel reads directly (per-batch offsets from the batch
 * strides, rows at a stride of the row length). `sliceAxis(cache, 2, 0, len)` of a
 * [B, H, maxLen, D] buffer is such a view; a transposed matrix is not (it arrives contiguous).
 */
function hasDenseMatrices(x: Tensor): boolean {
  const r = x.rank;
  const rows = x.shape[r - 2]!;
  const cols = x.shape[r - 1]!;
  return (cols <= 1 || x.strides[r - 1] === 1) && (rows <= 1 || x.strides[r - 2] === cols);
}

/**
 * Element strides of each batch of a matmul operand over the broadcast batch shape (0 where it
 * is broadcast): the view's own batch strides, so batch-strided views need no copy.
 */
export function matmulBatchStrides(x: { shape: readonly number[]; strides: readonly number[] }, batch: readonly number[]): number[] {
  return broadcastStrides(x.shape.slice(0, -2), x.strides.slice(0, -2), batch);
}

export const matmulOp = defineOp<MatmulAttrs>({
  name: 'matmul',
  acceptsView: hasDenseMatrices,
  infer: ([a, b], attrs) => {
    if (a!.dtype !== 'f32') throw new DTypeError(`matmul: a must be f32, got ${a!.dtype}`);
    if (!['f32', 'f16', 'bf16'].includes(b!.dtype)) throw new DTypeError(`matmul: b must be f32, f16 or bf16, got ${b!.dtype}`);
    const { m, n, batch } = matmulDims(a!.shape, b!.shape, attrs);
    return [{ shape: [...batch, m, n], dtype: 'f32' }];
  },
  grad: ({ inputs: [a, b], attrs: { transposeA, transposeB }, dys: [dy] }) => {
    const bf = b!.dtype === 'f32' ? b! : cast(b!, 'f32');
    // C = op(A)·op(B). dA = dC·op(B)ᵀ (transposed back if A was), dB = op(A)ᵀ·dC (likewise).
    const da = transposeA ? matmul(bf, dy!, { transposeA: transposeB, transposeB: true }) : matmul(dy!, bf, { transposeB: !transposeB });
    const dbf = transposeB ? matmul(dy!, a!, { transposeA: true, transposeB: transposeA }) : matmul(a!, dy!, { transposeA: !transposeA });
    const db = b!.dtype === 'f32' ? dbf : cast(dbf, b!.dtype);
    return [sumToShape(da, a!.shape), sumToShape(db, b!.shape)];
  },
});

/**
 * Matrix product with broadcast batch dimensions.
 * @example matmul(x, weight, { transposeB: true }) // x [B, T, in] · weightᵀ [out, in] → [B, T, out]
 */
export function matmul(a: Tensor, b: Tensor, opts: Partial<MatmulAttrs> = {}): Tensor {
  const attrs = { transposeA: opts.transposeA ?? false, transposeB: opts.transposeB ?? false };
  // A batch of matrices times one shared matrix (a linear layer on [..., T, in]) is one product
  // with the batch folded into the rows. Besides one kernel call instead of one per batch, the
  // weight's gradient becomes a single [in, batch·T]·[batch·T, out] product: per batch it was a
  // full [out, in] product of depth T, summed afterwards — for the vision tokenizer's 2×2 windows
  // (T = 4) that wrote batch·out·in values for batch·T·out·in multiply-adds.
  if (b.rank === 2 && a.rank > 2 && !attrs.transposeA && a.isContiguous) {
    const lead = a.shape.slice(0, -1);
    const { n } = matmulDims(a.shape, b.shape, attrs);
    const flat = reshape(a, [-1, a.shape[a.rank - 1]!]);
    const product = engine.runOp(matmulOp, [flat, b], attrs)[0]!;
    const out = reshape(product, [...lead, n]);
    flat.dispose();
    product.dispose();
    return out;
  }
  return engine.runOp(matmulOp, [a, b], attrs)[0]!;
}
