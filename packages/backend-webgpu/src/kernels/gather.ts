/**
 * WebGPU index ops: gather (embedding lookup, decoding f16/bf16 rows to f32), scatterAdd (its
 * gradient) and oneHot.
 *
 * gather: one invocation per output element. A table larger than one storage binding (a
 * 32000×4096 f16 embedding is 250 MiB; lavapipe binds at most 128 MiB) is split into row slices
 * that each fit, one dispatch per slice writing the ids that fall inside it.
 * Kernels cannot throw: an index outside [0, rows) writes 0 and records the error in the
 * backend's error flag, which the next `read()` turns into the CPU kernel's BackendError.
 * scatterAdd adds f32 with a compare-exchange loop (WGSL has no float atomics), so the order of
 * additions into one row is unspecified: results match the CPU to rounding, not bit for bit.
 */
import { bytesPerElement, sizeOf, type KernelConfig, type OneHotAttrs, type ScatterAddAttrs } from '@evejs/tensor/backend';
import { CONVERT_WGSL, decode, encode, grid1d, inputBinding, LINEAR_INDEX_WGSL, UNIFORMS_WGSL, WG } from '../shaders/common.wgsl.js';
import { runMap } from '../shaders/map.wgsl.js';
import { storageKind, type StorageKind } from '../storage-layout.js';
import { KERNEL_ERROR, type WebGpuBackend } from '../webgpu-backend.js';
import { bufferOf, newOutput, type GpuKernelFn } from './views.js';

const ERROR_FLAG_WGSL = (binding: number) => /* wgsl */ `
@group(0) @binding(${binding}) var<storage, read_write> flag: array<atomic<i32>, 4>;
fn report(code: i32, a: i32, b: i32) {
  if (atomicCompareExchangeWeak(&flag[0], 0, code).exchanged) { atomicStore(&flag[1], a); atomicStore(&flag[2], b); }
}
`;

/** Uniform words: 0 outputs, 1 row length, 2 ids offset, 3 table offset in the bound slice, 4 slice's first row, 5 slice rows, 6 rows, 7 first slice (reports). */
function gatherWgsl(kind: StorageKind): string {
  const outKind: StorageKind = kind === 'i32' ? 'i32' : 'f32';
  return /* wgsl */ `
${UNIFORMS_WGSL}
${CONVERT_WGSL}
${LINEAR_INDEX_WGSL(WG)}
${inputBinding(1, 'tab', kind)}
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> ym: array<u32>;
${ERROR_FLAG_WGSL(4)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = linear_index(wid, nwg, lid);
  if (i >= um(0u)) { return; }
  let rowLen = um(1u);
  let id = ids[um(2u) + i / rowLen];
  let local = id - i32(um(4u));
  if (local >= 0 && local < i32(um(5u))) {
    let v = ${decode(kind, `raw_tab(um(3u) + u32(local) * rowLen + i % rowLen)`)};
    ym[i] = ${encode(outKind, kind === 'i32' ? 'v' : 'f32(v)')};
  } else if (um(7u) == 1u && (id < 0 || id >= i32(um(6u)))) {
    ym[i] = 0u;
    report(${KERNEL_ERROR.gatherIndex}, id, i32(um(6u)));
  }
}
`;
}

const gather: GpuKernelFn = ({ inputs: [table, idx], outputs: [o], backend }) => {
  const out = backend.output(o!.dtype, sizeOf(o!.shape));
  const n = sizeOf(o!.shape);
  if (n === 0) return [out];
  const rows = table!.shape[0]!;
  const rowLen = sizeOf(table!.shape.slice(1));
  const kind = storageKind(table!.dtype);
  const bpe = bytesPerElement(table!.dtype);
  const buffer = bufferOf(table!);
  const limit = backend.limits.maxStorageBufferBindingSize;
  const totalBytes = (table!.offset + rows * rowLen) * bpe;
  // Row slices of at most `limit` bytes, each bound from a 256-byte aligned offset.
  const perSlice = totalBytes <= limit ? rows : Math.max(1, Math.floor((limit - 512) / Math.max(1, rowLen * bpe)));
  for (let r0 = 0; r0 < Math.max(rows, 1); r0 += perSlice) {
    const count = Math.min(perSlice, rows - r0);
    const startByte = (table!.offset + r0 * rowLen) * bpe;
    const byteOffset = totalBytes <= limit ? 0 : Math.floor(startByte / 256) * 256;
    const size = totalBytes <= limit ? undefined : Math.min(buffer.size - byteOffset, Math.ceil((startByte - byteOffset + count * rowLen * bpe) / 4) * 4);
    const u = new Uint32Array([n, rowLen, idx!.offset, (startByte - byteOffset) / bpe, r0, count, rows, r0 === 0 ? 1 : 0]);
    backend.dispatch({
      key: `gather|${kind}`,
      code: () => gatherWgsl(kind),
      uniforms: u,
      bindings: [
        { buffer, readOnly: true, offset: byteOffset, ...(size !== undefined ? { size } : {}) },
        { buffer: bufferOf(idx!), readOnly: true },
        { buffer: out.buffer, readOnly: false },
        { buffer: backend.errorFlag, readOnly: false },
      ],
      workgroups: grid1d(n),
    });
    if (rows === 0) break;
  }
  return [out];
};

const SCATTER_ADD_WGSL = /* wgsl */ `
${UNIFORMS_WGSL}
${LINEAR_INDEX_WGSL(WG)}
@group(0) @binding(1) var<storage, read> upd: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> ym: array<atomic<u32>>;
${ERROR_FLAG_WGSL(4)}
// Uniform words: 0 updates, 1 row length, 2 updates offset, 3 ids offset, 4 rows.
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = linear_index(wid, nwg, lid);
  if (i >= um(0u)) { return; }
  let rowLen = um(1u);
  let id = ids[um(3u) + i / rowLen];
  if (id < 0 || id >= i32(um(4u))) {
    report(${KERNEL_ERROR.scatterAddIndex}, id, i32(um(4u)));
    return;
  }
  let v = upd[um(2u) + i];
  let e = u32(id) * rowLen + i % rowLen;
  var old = atomicLoad(&ym[e]);
  loop {
    let r = atomicCompareExchangeWeak(&ym[e], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
`;

const scatterAdd: GpuKernelFn<ScatterAddAttrs> = ({ inputs: [upd, idx], attrs: { rows }, outputs: [o], backend }) => {
  const out = newOutput(backend, o!);
  runMap(backend, { body: 'fill', code: 'result = um(2u);', shape: o!.shape, inputs: [], out: out.view, attrs: [0] });
  const n = sizeOf(upd!.shape);
  if (n === 0) return [out.storage];
  const rowLen = sizeOf(upd!.shape.slice(idx!.shape.length));
  backend.dispatch({
    key: 'scatterAdd',
    code: () => SCATTER_ADD_WGSL,
    uniforms: new Uint32Array([n, rowLen, upd!.offset, idx!.offset, rows]),
    bindings: [
      { buffer: bufferOf(upd!), readOnly: true },
      { buffer: bufferOf(idx!), readOnly: true },
      { buffer: out.storage.buffer, readOnly: false },
      { buffer: backend.errorFlag, readOnly: false },
    ],
    workgroups: grid1d(n),
  });
  return [out.storage];
};

const oneHot: GpuKernelFn<OneHotAttrs> = ({ inputs: [idx], attrs: { depth }, outputs: [o], backend }) => {
  const out = newOutput(backend, o!);
  // The ids read as if broadcast along the new last axis (stride 0).
  const strides = [...out.view.strides.slice(0, -1).map((s) => s / depth), 0];
  runMap(backend, {
    body: 'oneHot',
    code: 'result = bitcast<u32>(select(0.0, 1.0, v0 == i32(i % um(2u))));',
    shape: o!.shape,
    inputs: [{ buffer: bufferOf(idx!), kind: 'i32', offset: idx!.offset, strides }],
    out: out.view,
    attrs: [depth],
  });
  return [out.storage];
};

export const gatherKernels = [
  { op: 'gather', backend: 'webgpu', run: gather },
  { op: 'scatterAdd', backend: 'webgpu', run: scatterAdd },
  { op: 'oneHot', backend: 'webgpu', run: oneHot },
] as KernelConfig<never, WebGpuBackend>[];
