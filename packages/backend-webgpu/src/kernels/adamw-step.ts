/**
 * WebGPU `adamwStep` as four maps (a map reads at most three views and takes two scalars):
 * m′ = β₁m + (1−β₁)g, v′ = β₂v + (1−β₂)g², u = m′ / (√v′/√bc2 + eps), p′ = p·(1 − lr·wd) − u·lr/bc1.
 * In f32 throughout, the same rounding steps as the CPU kernel.
 */
import type { AdamWStepAttrs, KernelConfig } from '@evejs/tensor/backend';
import { runMap } from '../shaders/map.wgsl.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { f32Bits, mapView, newOutput, type GpuKernelFn } from './views.js';

const run: GpuKernelFn<AdamWStepAttrs> = ({ inputs: [p, g, m, v], attrs: a, outputs: [spec], backend }) => {
  const shape = spec!.shape;
  const [pOut, mOut, vOut, step] = [0, 1, 2, 3].map(() => newOutput(backend, spec!));
  const map = (body: string, code: string, inputs: Parameters<typeof runMap>[1]['inputs'], out: typeof pOut, attrs: number[]) =>
    runMap(backend, { body: `adamw:${body}`, code, shape, inputs, out: out!.view, attrs: attrs.map(f32Bits) });
  const k = 'let c0 = bitcast<f32>(um(2u)); let c1 = bitcast<f32>(um(3u));';
  map('moment', `${k} result = bitcast<u32>(v0 * c0 + v1 * c1);`, [mapView(m!, shape), mapView(g!, shape)], mOut, [a.beta1, 1 - a.beta1]);
  map('moment2', `${k} result = bitcast<u32>(v0 * c0 + (v1 * v1) * c1);`, [mapView(v!, shape), mapView(g!, shape)], vOut, [a.beta2, 1 - a.beta2]);
  map('direction', `${k} result = bitcast<u32>(v0 / (sqrt(v1) / c0 + c1));`, [mOut!.view, vOut!.view], step, [Math.sqrt(a.bc2), a.eps]);
  map('param', `${k} result = bitcast<u32>(v0 * c0 - v1 * c1);`, [mapView(p!, shape), step!.view], pOut, [1 - a.lr * a.weightDecay, a.lr / a.bc1]);
  backend.free(step!.storage);
  return [pOut!.storage, mOut!.storage, vOut!.storage];
};

export const adamwStepKernel = { op: 'adamwStep', backend: 'webgpu', run } as KernelConfig<never, WebGpuBackend>;
