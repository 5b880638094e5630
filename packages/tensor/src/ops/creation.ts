/**
 * Creating tensors from host values: `tensor`, `scalar`, `zeros`, `ones`, `full`, `arange`, and
 * seeded random tensors. Values are made on the host and uploaded to the backend once.
 */
import { allocHostArray, convertHostArray, type DType, type HostArray, isDType } from '../dtype.js';
import { engine } from '../engine.js';
import { DTypeError } from '../errors.js';
import { Rng } from '../rng.js';
import { sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';

export interface CreateOptions {
  /** Storage dtype (default f32, or i32 for an Int32Array, u8 for a Uint8Array). */
  dtype?: DType;
  /** Backend name (default: the engine's default backend). */
  backend?: string;
}

/**
 * Makes a tensor from values. Numbers are converted to `dtype` (f16/bf16 round to nearest even).
 * @example const x = tensor([1, 2, 3, 4], [2, 2]);
 */
export function tensor(
  values: ArrayLike<number> | HostArray,
  shape: readonly number[] = [values.length],
  opts: CreateOptions = {},
): Tensor {
  const dtype = opts.dtype ?? defaultDType(values);
  if (!isDType(dtype)) throw new DTypeError(`unknown dtype ${String(dtype)}`);
  let host: HostArray;
  if (values instanceof Float32Array || Array.isArray(values) || values instanceof Float64Array) {
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    host = dtype === 'f32' ? f32.slice() : convertHostArray(f32, 'f32', dtype);
  } else if (values instanceof Int32Array) {
    host = dtype === 'i32' ? values.slice() : convertHostArray(values, 'i32', dtype);
  } else if (values instanceof Uint8Array) {
    host = dtype === 'u8' || dtype === 'bool' ? values.slice() : convertHostArray(values, 'u8', dtype);
  } else {
    host = convertHostArray(Float32Array.from(values as ArrayLike<number>), 'f32', dtype);
  }
  return engine.fromHost(host, shape, dtype, opts.backend);
}

/** Makes a tensor from raw values already in `dtype`'s host layout (f16/bf16 as bit patterns), without conversion. */
export function fromRaw(data: HostArray, shape: readonly number[], dtype: DType, backend?: string): Tensor {
  return engine.fromHost(data, shape, dtype, backend);
}

function defaultDType(values: ArrayLike<number>): DType {
  if (values instanceof Int32Array) return 'i32';
  if (values instanceof Uint8Array) return 'u8';
  return 'f32';
}

/** A rank-0 tensor. */
export function scalar(value: number, opts: CreateOptions = {}): Tensor {
  return tensor([value], [], opts);
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? 'f32';
  const f = new Float32Array(sizeOf(shape)).fill(value);
  return tensor(f, shape, { ...opts, dtype });
}

export function zeros(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? 'f32';
  return engine.fromHost(allocHostArray(dtype, sizeOf(shape)), shape, dtype, opts.backend);
}

export function ones(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** [start, start+step, …) below `stop`. */
export function arange(start: number, stop: number, step = 1, opts: CreateOptions = {}): Tensor {
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = start + i * step;
  return tensor(v, [n], opts);
}

export interface RandomOptions extends CreateOptions {
  /** Seed or generator; the same seed gives the same values on every backend. */
  seed?: number | Rng;
}

/** Normal(mean, std) values from a seeded generator. */
export function randn(shape: readonly number[], opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const rng = opts.seed instanceof Rng ? opts.seed : new Rng(opts.seed ?? 0);
  const f = new Float32Array(sizeOf(shape));
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  for (let i = 0; i < f.length; i++) f[i] = mean + std * rng.normal();
  return tensor(f, shape, opts);
}

/** Uniform [low, high) values from a seeded generator. */
export function randUniform(shape: readonly number[], opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const rng = opts.seed instanceof Rng ? opts.seed : new Rng(opts.seed ?? 0);
  const f = new Float32Array(sizeOf(shape));
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  for (let i = 0; i < f.length; i++) f[i] = low + (high - low) * rng.uniform();
  return tensor(f, shape, opts);
}
