/**
 * Moving test values between float64 `Nd` arrays and tensors on any backend. Creation names the
 * backend explicitly and readback is `await t.data()`, because GPU backends cannot read
 * synchronously.
 */
import type { DType } from '../dtype.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { type Nd, nd } from './nd.js';

/** An input for an op test: values plus the dtype the tensor is stored in (default f32). */
export interface TestInput extends Nd {
  readonly dtype?: DType;
}

/** Marks `x` to be stored as `dtype`. */
export function as(x: Nd, dtype: DType): TestInput {
  return { shape: x.shape, data: x.data, dtype };
}

/** A tensor on `backend` holding `x`'s values in `x.dtype` (or `dtype`). */
export function toTensor(x: TestInput, opts: { backend?: string; dtype?: DType } = {}): Tensor {
  const dtype = opts.dtype ?? x.dtype ?? 'f32';
  let values: ArrayLike<number> = x.data;
  if (dtype === 'i32') values = Int32Array.from(x.data);
  else if (dtype === 'bool' || dtype === 'u8') values = Uint8Array.from(x.data, (v) => (dtype === 'bool' ? +(v !== 0) : v));
  return tensor(values as Float64Array, x.shape, { dtype, backend: opts.backend });
}

/** Reads a tensor back as a float64 Nd (floats decoded). */
export async function toNd(t: Tensor): Promise<Nd> {
  return nd(t.shape, await t.data());
}
