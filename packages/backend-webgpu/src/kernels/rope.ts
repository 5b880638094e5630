/**
 * WebGPU rope (rotate-half rotary embedding) as a map: y[i] = x[i]·cos[i] + rot[i]·sin[i] with
 * rot = −x[i + d/2] in the first half of the last axis and x[i − d/2] in the second. x arrives
 * contiguous; cos/sin are read through broadcast strides, so [T, D] tables serve [B, H, T, D].
 */
import type { KernelConfig } from '@evejs/tensor/backend';
import { runMap } from '../shaders/map.wgsl.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { mapView, newOutput, type GpuKernelFn } from './views.js';

const run: GpuKernelFn = ({ inputs: [x, cos, sin], outputs: [o], backend }) => {
  const out = newOutput(backend, o!);
  const d = o!.shape[o!.shape.length - 1]!;
  runMap(backend, {
    body: 'rope',
    code: `let d = um(2u); let hh = d / 2u;
  var rot = 0.0;
  if (i % d < hh) { rot = -bitcast<f32>(raw_in0(o0 + hh)); } else { rot = bitcast<f32>(raw_in0(o0 - hh)); }
  result = bitcast<u32>(v0 * v1 + rot * v2);`,
    shape: o!.shape,
    inputs: [mapView(x!, o!.shape), mapView(cos!, o!.shape), mapView(sin!, o!.shape)],
    out: out.view,
    attrs: [d],
  });
  return [out.storage];
};

export const ropeKernels = [{ op: 'rope', backend: 'webgpu', run }] as KernelConfig<never, WebGpuBackend>[];
