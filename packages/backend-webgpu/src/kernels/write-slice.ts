/**
 * WebGPU writeSlice: one map dispatch that copies src's raw element bits (any dtype) into the
 * window of dst's own buffer, through dst's strides. Nothing is allocated and the kernel hands
 * back dst's storage: the write is in place, queued after whatever already reads that buffer.
 * Half-word dtypes (f16/bf16) are stored with atomics on disjoint bits (shaders/common.wgsl.ts),
 * so a window that starts or ends mid-word leaves its neighbours intact.
 */
import type { KernelConfig, WriteSliceAttrs } from '@evejs/tensor/backend';
import { runMap } from '../shaders/map.wgsl.js';
import { storageKind } from '../storage-layout.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { bufferOf, mapView, type GpuKernelFn } from './views.js';

const writeSlice: GpuKernelFn<WriteSliceAttrs> = ({ inputs: [dst, src], attrs: { axis, start }, backend }) => {
  runMap(backend, {
    body: 'copy',
    code: 'result = r0;',
    shape: src!.shape,
    inputs: [mapView(src!, src!.shape)],
    out: { buffer: bufferOf(dst!), kind: storageKind(dst!.dtype), offset: dst!.offset + start * dst!.strides[axis]!, strides: dst!.strides },
  });
  return [dst!.storage];
};

export const writeSliceKernel = { op: 'writeSlice', backend: 'webgpu', run: writeSlice } as KernelConfig<never, WebGpuBackend>;
