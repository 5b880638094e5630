/**
 * What a backend is: a place where tensor storage lives and kernels run (the CPU, a WebGPU
 * device, a WebGL context, a TensorFlow.js backend). A backend owns raw storage and moves bytes
 * in and out; it knows nothing about shapes, autograd or scopes — the engine does. Kernels are
 * registered separately, per op name (see kernel-registry.ts), so a backend may implement a
 * subset of the ops and the engine falls back to the CPU for the rest, explicitly.
 */
import type { DType, HostArray } from './dtype.js';

/** Describes a backend's device for `eve env` and error messages. */
export interface BackendInfo {
  name: string;
  /** Human-readable device or adapter (e.g. "llvmpipe (LLVM 15) via Vulkan", "2 CPU threads"). */
  device: string;
  /** Extra facts worth showing (features, limits, library versions). */
  details?: Record<string, string | number | boolean>;
}

export interface Backend {
  readonly name: string;
  /** Allocates uninitialised storage for `size` elements of `dtype`; returns the backend's handle. */
  allocate(dtype: DType, size: number): unknown;
  /** Creates storage holding a copy of `data` (raw values: f16/bf16 as bit patterns). */
  upload(dtype: DType, data: HostArray): unknown;
  /** Reads `size` elements back to the host. GPU backends resolve once queued work is done. */
  read(storage: unknown, dtype: DType, size: number): Promise<HostArray>;
  /**
   * (optional) Synchronous read. Only backends that can read without awaiting (the CPU, WebGL)
   * provide it; the engine's CPU fallback for ops a backend lacks needs it.
   */
  readSync?(storage: unknown, dtype: DType, size: number): HostArray;
  /** Releases storage. Called exactly once per handle, when its last tensor is disposed. */
  free(storage: unknown): void;
  /** (optional) Submits queued work without waiting, e.g. at the end of a decoding step. */
  flush?(): void;
  /** Describes the device. */
  info(): BackendInfo;
  /** (optional) Releases the device; the backend cannot be used afterwards. */
  dispose?(): void;
}
