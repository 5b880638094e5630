/**
 * The Tensor: a shape, a dtype and a strided view of reference-counted storage on one backend.
 *
 * Tensors are immutable values; ops make new tensors. Views (reshape, transpose, slice, broadcast)
 * share storage. Memory is explicit: `dispose()` or a `tidy()` scope releases storage, which
 * matters on GPUs where garbage collection is too late. Readback is asynchronous (`await
 * t.data()`) because GPU work is queued; the CPU backend also offers `dataSync()`.
 */
import { type DType, type HostArray, toFloat32Array } from './dtype.js';
import { engine, type GradNode } from './engine.js';
import { BackendError, DisposedError, ShapeError } from './errors.js';
import { contiguousStrides, isContiguous, type Shape, shapeStr, sizeOf } from './shape.js';
import type { Storage } from './storage.js';

/** Decoded element values: floats (f32/f16/bf16) as Float32Array, i32 as Int32Array, u8/bool as Uint8Array. */
export type TensorData = Float32Array | Int32Array | Uint8Array;

let nextTensorId = 1;

export class Tensor {
  /** Unique, increasing id (creation order). */
  readonly id = nextTensorId++;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** @internal */ storage: Storage;
  /** Whether gradients flow to this tensor. Set on parameters; ops propagate it. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf tensor after `backward()`. */
  grad: Tensor | null = null;
  /** @internal the op node that produced this tensor while gradients were recorded. */
  creator: GradNode | null = null;
  /** @internal number of recorded graph nodes that need this tensor for backward. */
  graphRefs = 0;
  /** @internal disposal was requested while the graph still needed the tensor. */
  disposePending = false;
  #disposed = false;

  /** @internal use the creation functions (`tensor`, `zeros`, …) or ops. */
  constructor(storage: Storage, shape: Shape, dtype: DType, strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    storage.refs++;
    engine.track(this);
  }

  get rank(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  /** Name of the backend holding the storage. */
  get backend(): string {
    return this.storage.backend.name;
  }
  get isDisposed(): boolean {
    return this.#disposed;
  }
  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }
  /** A leaf is a tensor not produced by a recorded op (parameters, inputs). */
  get isLeaf(): boolean {
    return this.creator === null;
  }

  /** Throws a DisposedError naming the tensor if it was disposed. */
  assertAlive(op = 'use'): void {
    if (this.#disposed) throw new DisposedError(`${op}: tensor #${this.id} ${shapeStr(this.shape)} was disposed`);
  }

  /** Raw values in row-major order (f16/bf16 as 16-bit patterns). */
  async rawData(): Promise<HostArray> {
    this.assertAlive('rawData');
    const t = this.isContiguous && this.offset === 0 && this.size === this.storage.size ? this : null;
    if (t) return this.storage.backend.read(this.storage.handle, this.dtype, this.size);
    const c = engine.contiguousCopy(this);
    try {
      return await c.storage.backend.read(c.storage.handle, c.dtype, c.size);
    } finally {
      c.dispose();
    }
  }

  /** Decoded values in row-major order (floats as Float32Array). */
  async data(): Promise<TensorData> {
    return toFloat32IfFloat(await this.rawData(), this.dtype);
  }

  /** Synchronous `data()`, for backends that can read synchronously (the CPU backend). */
  dataSync(): TensorData {
    return toFloat32IfFloat(this.rawDataSync(), this.dtype);
  }

  /** Synchronous `rawData()`, for backends that can read synchronously. */
  rawDataSync(): HostArray {
    this.assertAlive('dataSync');
    const backend = this.storage.backend;
    if (!backend.readSync) {
      throw new BackendError(`dataSync: the ${backend.name} backend can only read asynchronously; use await t.data()`);
    }
    if (this.isContiguous && this.offset === 0 && this.size === this.storage.size) {
      return backend.readSync(this.storage.handle, this.dtype, this.size);
    }
    const c = engine.contiguousCopy(this);
    try {
      return backend.readSync(c.storage.handle, c.dtype, c.size);
    } finally {
      c.dispose();
    }
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new ShapeError(`item: tensor has ${this.size} elements, not 1`);
    return (await this.data())[0]!;
  }

  /**
   * Releases this tensor's hold on its storage. Safe to call twice. If the autograd graph still
   * needs the tensor, the release happens when that graph is freed (after `backward()`).
   */
  dispose(): void {
    if (this.#disposed || this.disposePending) return;
    if (this.graphRefs > 0) {
      this.disposePending = true;
      return;
    }
    this.#disposed = true;
    engine.release(this);
  }

  /** @internal called by the engine when the graph no longer needs a pending tensor. */
  finishPendingDispose(): void {
    if (this.disposePending && this.graphRefs === 0 && !this.#disposed) {
      this.#disposed = true;
      engine.release(this);
    }
  }

  /** Runs backpropagation from this tensor (a scalar unless `grad` is given). */
  backward(grad?: Tensor): void {
    engine.backward(this, grad);
  }

  /** Copies this tensor to another backend. */
  async to(backend: string): Promise<Tensor> {
    this.assertAlive('to');
    return engine.transfer(this, backend);
  }

  toString(): string {
    return `Tensor#${this.id}(${shapeStr(this.shape)}, ${this.dtype}, ${this.backend})`;
  }
}

function toFloat32IfFloat(raw: HostArray, dtype: DType): TensorData {
  if (dtype === 'f16' || dtype === 'bf16') return toFloat32Array(raw, dtype);
  return raw as TensorData;
}
