/**
 * WebGPU layerNorm and rmsNorm over the last axis: one 64-invocation workgroup per row computes
 * the statistics with workgroup reductions and writes the row, with no host round-trip.
 * layerNorm takes the mean first and then the biased variance of the centred values (two
 * passes, as the CPU kernel); rmsNorm rounds x·rstd to f32 before the weight, as Llama does.
 * Uniform words: 0 rows, 1 d, 2 x offset, 3 weight offset, 4 bias offset, 5 eps (f32 bits).
 */
import { sizeOf, type KernelConfig, type NormAttrs } from '@evejs/tensor/backend';
import { grid1d, UNIFORMS_WGSL, WORKGROUP_REDUCE_WGSL } from '../shaders/common.wgsl.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { bufferOf, f32Bits, type GpuKernelFn } from './views.js';

const WG = 64;

function normWgsl(op: 'layerNorm' | 'rmsNorm'): string {
  const body =
    op === 'layerNorm'
      ? `var s = 0.0;
  for (var i = t; i < d; i += ${WG}u) { s += xm[xo + i]; }
  let mean = wg_sum(s, t) / f32(d);
  var v = 0.0;
  for (var i = t; i < d; i += ${WG}u) { let c = xm[xo + i] - mean; v += c * c; }
  let rstd = 1.0 / sqrt(wg_sum(v, t) / f32(d) + eps);
  for (var i = t; i < d; i += ${WG}u) { ym[row * d + i] = (xm[xo + i] - mean) * rstd * wm[um(3u) + i] + bm[um(4u) + i]; }`
      : `var s = 0.0;
  for (var i = t; i < d; i += ${WG}u) { let x = xm[xo + i]; s += x * x; }
  let rr = 1.0 / sqrt(wg_sum(s, t) / f32(d) + eps);
  for (var i = t; i < d; i += ${WG}u) { ym[row * d + i] = (xm[xo + i] * rr) * wm[um(3u) + i]; }`;
  return /* wgsl */ `
${UNIFORMS_WGSL}
${WORKGROUP_REDUCE_WGSL(WG)}
@group(0) @binding(1) var<storage, read> xm: array<f32>;
@group(0) @binding(2) var<storage, read> wm: array<f32>;
${op === 'layerNorm' ? '@group(0) @binding(3) var<storage, read> bm: array<f32>;\n@group(0) @binding(4) var<storage, read_write> ym: array<f32>;' : '@group(0) @binding(3) var<storage, read_write> ym: array<f32>;'}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= um(0u)) { return; }
  let d = um(1u);
  let eps = umf(5u);
  let xo = um(2u) + row * d;
  ${body}
}
`;
}

function normKernel(op: 'layerNorm' | 'rmsNorm'): KernelConfig<NormAttrs, WebGpuBackend> {
  const run: GpuKernelFn<NormAttrs> = ({ inputs, attrs: { eps }, backend }) => {
    const x = inputs[0]!;
    const d = x.shape[x.shape.length - 1]!;
    const n = sizeOf(x.shape);
    const out = backend.output('f32', n);
    if (n === 0) return [out];
    const rows = n / d;
    const params = inputs.slice(1);
    backend.dispatch({
      key: `norm|${op}`,
      code: () => normWgsl(op),
      uniforms: new Uint32Array([rows, d, x.offset, params[0]!.offset, params[1]?.offset ?? 0, f32Bits(eps)]),
      bindings: [...inputs.map((v) => ({ buffer: bufferOf(v), readOnly: true })), { buffer: out.buffer, readOnly: false }],
      workgroups: grid1d(rows, 1),
    });
    return [out];
  };
  return { op, backend: 'webgpu', run };
}

export const normKernels = [normKernel('layerNorm'), normKernel('rmsNorm')] as KernelConfig<never, WebGpuBackend>[];
