/**
 * WebGPU concat and pad, as maps that copy raw element bits (any dtype) into a strided region
 * of the output: concat runs one copy per input into its slab; pad fills the output with the
 * value, then copies the input into the interior. Half-word dtypes (f16/bf16) are stored with
 * atomics on disjoint bits (shaders/common.wgsl.ts), so neighbouring regions never race.
 */
import { contiguousStrides, f32ToBf16Bits, f32ToF16Bits, type ConcatAttrs, type KernelConfig, type PadAttrs } from '@evejs/tensor/backend';
import type { DType } from '@evejs/tensor';
import { runMap } from '../shaders/map.wgsl.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { f32Bits, mapView, newOutput, type GpuKernelFn } from './views.js';

const concat: GpuKernelFn<ConcatAttrs> = ({ inputs, attrs: { axis }, outputs: [o], backend }) => {
  const out = newOutput(backend, o!);
  const strides = contiguousStrides(o!.shape);
  let start = 0;
  for (const x of inputs) {
    runMap(backend, {
      body: 'copy',
      code: 'result = r0;',
      shape: x.shape,
      inputs: [mapView(x, x.shape)],
      out: { ...out.view, offset: start * strides[axis]!, strides },
    });
    start += x.shape[axis]!;
  }
  return [out.storage];
};

/** The raw bits of `value` stored as `dtype` (as the CPU kernel's typed-array fill would). */
function fillBits(dtype: DType, value: number): number {
  switch (dtype) {
    case 'f32':
      return f32Bits(value);
    case 'f16':
      return f32ToF16Bits(value);
    case 'bf16':
      return f32ToBf16Bits(value);
    case 'i32':
      return value >>> 0;
    case 'u8':
    case 'bool':
      return value & 0xff;
  }
}

const pad: GpuKernelFn<PadAttrs> = ({ inputs: [x], attrs: { pads, value }, outputs: [o], backend }) => {
  const out = newOutput(backend, o!);
  const strides = contiguousStrides(o!.shape);
  runMap(backend, { body: 'fill', code: 'result = um(2u);', shape: o!.shape, inputs: [], out: out.view, attrs: [fillBits(o!.dtype, value)] });
  const offset = pads.reduce((acc, [before], d) => acc + before * strides[d]!, 0);
  runMap(backend, { body: 'copy', code: 'result = r0;', shape: x!.shape, inputs: [mapView(x!, x!.shape)], out: { ...out.view, offset, strides } });
  return [out.storage];
};

export const shapeOpKernels = [
  { op: 'concat', backend: 'webgpu', run: concat },
  { op: 'pad', backend: 'webgpu', run: pad },
] as KernelConfig<never, WebGpuBackend>[];
