/**
 * WebGPU softmax and logSoftmax along one axis of a contiguous input, stably (max subtracted),
 * with no host round-trip: one 64-invocation workgroup per row makes three strided passes over
 * it (max, Σ exp, write), combining partial results in workgroup memory. A row is every element
 * sharing the other indices: base = offset + a·len·inner + b, step inner.
 * Uniform words: 0 rows, 1 len, 2 inner, 3 offset.
 */
import { sizeOf, type AxisAttrs, type KernelConfig } from '@evejs/tensor/backend';
import { grid1d, UNIFORMS_WGSL, WORKGROUP_REDUCE_WGSL } from '../shaders/common.wgsl.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { bufferOf, type GpuKernelFn } from './views.js';

const WG = 64;

function softmaxWgsl(log: boolean): string {
  return /* wgsl */ `
${UNIFORMS_WGSL}
${WORKGROUP_REDUCE_WGSL(WG)}
@group(0) @binding(1) var<storage, read> xm: array<f32>;
@group(0) @binding(2) var<storage, read_write> ym: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= um(0u)) { return; }
  let len = um(1u);
  let inner = um(2u);
  let base = (row / inner) * len * inner + row % inner;
  let xoff = um(3u) + base;
  var m = -f32_inf();
  for (var i = t; i < len; i += ${WG}u) { let v = xm[xoff + i * inner]; if (v > m || is_nan(v)) { m = v; } }
  m = wg_max(m, t);
  var s = 0.0;
  for (var i = t; i < len; i += ${WG}u) { s += exp(xm[xoff + i * inner] - m); }
  s = wg_sum(s, t);
  ${
    log
      ? 'let lse = m + log(s);\n  for (var i = t; i < len; i += ' + WG + 'u) { ym[base + i * inner] = xm[xoff + i * inner] - lse; }'
      : 'for (var i = t; i < len; i += ' + WG + 'u) { ym[base + i * inner] = exp(xm[xoff + i * inner] - m) / s; }'
  }
}
`;
}

function softmaxKernel(op: 'softmax' | 'logSoftmax'): KernelConfig<AxisAttrs, WebGpuBackend> {
  const run: GpuKernelFn<AxisAttrs> = ({ inputs: [x], attrs: { axis }, backend }) => {
    const shape = x!.shape;
    const out = backend.output('f32', sizeOf(shape));
    const len = shape[axis]!;
    const inner = sizeOf(shape.slice(axis + 1));
    const rows = sizeOf(shape.slice(0, axis)) * inner;
    if (rows * len === 0) return [out];
    backend.dispatch({
      key: `softmax|${op}`,
      code: () => softmaxWgsl(op === 'logSoftmax'),
      uniforms: new Uint32Array([rows, len, inner, x!.offset]),
      bindings: [
        { buffer: bufferOf(x!), readOnly: true },
        { buffer: out.buffer, readOnly: false },
      ],
      workgroups: grid1d(rows, 1),
    });
    return [out];
  };
  return { op, backend: 'webgpu', run };
}

export const softmaxKernels = [softmaxKernel('softmax'), softmaxKernel('logSoftmax')] as KernelConfig<never, WebGpuBackend>[];
