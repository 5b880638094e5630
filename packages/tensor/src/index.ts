/**
 * @evejs/tensor — tensors, ops with autograd, memory scopes, the CPU backend and safetensors I/O.
 *
 * @example
 * import { registerCpuBackend, tensor, matmul, tidy } from '@evejs/tensor';
 * registerCpuBackend();
 * const y = tidy(() => matmul(tensor([1, 2, 3, 4], [2, 2]), tensor([5, 6, 7, 8], [2, 2])));
 * console.log(await y.data());
 */
import { engine } from './engine.js';
import type { Tensor } from './tensor.js';

export { Tensor, type TensorData } from './tensor.js';
export type { DType, FloatDType, HostArray } from './dtype.js';
export { DTYPES, isDType, isFloatDType, bytesPerElement, hostArrayFromBytes, hostReader, f32ToBf16Bits, bf16BitsToF32, f32ToF16Bits, f16BitsToF32 } from './dtype.js';
export { EveError, ShapeError, DTypeError, DisposedError, BackendError, FormatError } from './errors.js';
export { type Shape, sizeOf, broadcastShapes, shapeStr } from './shape.js';
export type { Backend, BackendInfo } from './backend.js';
export type { MemoryInfo } from './engine.js';
export { Rng } from './rng.js';
export { type QuantFormat, QUANT_FORMATS, QUANT_BLOCK, isQuantFormat, valuesPerWord, quantizedByteLength, quantizeHost, type QuantizedHost } from './quantize.js';
export { nodeBuiltin } from './node-builtin.js';
export * from './ops/index.js';
export { registerCpuBackend, CpuBackend } from './cpu/cpu-backend.js';
export { disposeCpuWorkers, cpuThreadCount } from './cpu/wasm/wasm-matmul.js';
// safetensors exports
export { SafetensorsFile } from './safetensors/file.js';
export { SafetensorsBytes } from './safetensors/bytes.js';
export { ShardedSafetensors } from './safetensors/sharded.js';
export { openCheckpoint, loadSafetensors } from './safetensors/checkpoint.js';
export { saveSafetensors, saveSafetensorsRaw, type RawTensorSource } from './safetensors/write.js';
export { saveShardedSafetensors, type SaveShardedOptions } from './safetensors/write-sharded.js';
export type { SafetensorsReader, SafetensorsReadOptions, SafetensorsTensorInfo } from './safetensors/safetensors-reader.js';
export type { FileDType } from './safetensors/file-dtype.js';

/** The engine: backends, scopes, memory counters (advanced use). */
export { engine };

/**
 * Runs `fn` in a memory scope: tensors it creates are disposed when it returns, except those it
 * returns (a tensor, an array or a plain object of them) and those passed to `keep`.
 */
export function tidy<T>(fn: () => T): T {
  return engine.tidy(fn);
}

/** Keeps a tensor alive past the enclosing `tidy` scopes. */
export function keep<T extends Tensor>(t: T): T {
  return engine.keep(t);
}

/** Runs `fn` without recording gradients (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return engine.noGrad(fn);
}

/** A new tensor sharing `t`'s values but cut from the autograd graph. */
export function detach(t: Tensor): Tensor {
  return engine.view(t, t.shape, t.strides, t.offset);
}

/**
 * Makes `target` hold `value`'s values, keeping its identity (optimizer updates of parameters).
 * The storage is shared, not copied; `value` may be disposed afterwards.
 * @example assign(param, sub(param, mul(grad, lr)))
 */
export function assign(target: Tensor, value: Tensor): void {
  engine.assign(target, value);
}

/** Live tensors and bytes (leak tests use this). */
export function memory() {
  return engine.memory();
}

/** Chooses the default backend for new tensors (initialising it if needed). */
export function setBackend(name: string) {
  return engine.setBackend(name);
}
