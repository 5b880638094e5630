/**
 * Small helpers every kernel file uses: turning the engine's TensorViews into map views and
 * allocating outputs. Nothing here records GPU work.
 */
import { broadcastStrides, sizeOf, type KernelFn, type OutputSpec, type TensorView } from '@evejs/tensor/backend';
import { denseStrides, type MapView } from '../shaders/map.wgsl.js';
import { storageKind } from '../storage-layout.js';
import type { GpuStorage, WebGpuBackend } from '../webgpu-backend.js';

export type GpuKernelFn<A = unknown> = KernelFn<A, WebGpuBackend>;

/** The GPU buffer behind a view. */
export const bufferOf = (v: TensorView): GPUBuffer => (v.storage as GpuStorage).buffer;

/** `v` read in row-major order of `shape` (which it broadcasts to). */
export function mapView(v: TensorView, shape: readonly number[]): MapView {
  return { buffer: bufferOf(v), kind: storageKind(v.dtype), offset: v.offset, strides: broadcastStrides(v.shape, v.strides, shape) };
}

/** New output storage for `spec` and its dense map view. */
export function newOutput(backend: WebGpuBackend, spec: OutputSpec): { storage: GpuStorage; view: MapView } {
  const storage = backend.output(spec.dtype, sizeOf(spec.shape));
  return { storage, view: { buffer: storage.buffer, kind: storageKind(spec.dtype), offset: 0, strides: denseStrides(spec.shape) } };
}

/** A float's bits as a u32 uniform word. */
export function f32Bits(x: number): number {
  const f = new Float32Array([x]);
  return new Uint32Array(f.buffer)[0]!;
}
