/**
 * WebGPU reductions of a contiguous input over a sorted axis list: sum, max (NaN-propagating, as
 * the CPU) and argmax along one axis (first index on ties; NaN and −inf are never chosen, and a
 * row with nothing above −inf gives 0, like the CPU loop).
 *
 * Geometry: the input is seen as kept axes × reduced axes, each with its own shape and strides in
 * the uniforms. Short reductions (≤ 128 elements) run one invocation per output; longer ones run
 * a 256-invocation workgroup per output that strides over the reduced elements and combines in
 * workgroup memory, so a 32000-wide argmax or a full sum never loops on one invocation.
 * Sums accumulate in f32 (the CPU uses f64): tests allow for it. Uniform words: 0 outputs,
 * 1 reduced count, 2 kept rank, 3 reduced rank, 4 offset, 5–12 kept shape, 13–20 kept strides,
 * 21–28 reduced shape, 29–36 reduced strides.
 */
import { BackendError } from '@evejs/tensor';
import { contiguousStrides, sizeOf, type ArgmaxAttrs, type KernelConfig, type ReduceAttrs, type TensorView } from '@evejs/tensor/backend';
import { grid1d, LINEAR_INDEX_WGSL, UNIFORMS_WGSL } from '../shaders/common.wgsl.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { bufferOf, type GpuKernelFn } from './views.js';

const GROUP = 256;
const SHORT = 128;
const MAX_RANK = 8;
type ReduceOp = 'sum' | 'max' | 'argmax';

/** Per-op WGSL: accumulator type, initial value, the step for element v at index j, combine. */
function opParts(op: ReduceOp, isInt: boolean) {
  const T = isInt ? 'i32' : 'f32';
  const load = isInt ? 'bitcast<i32>(xm[e])' : 'bitcast<f32>(xm[e])';
  switch (op) {
    case 'sum':
      return { T, load, init: isInt ? '0' : '0.0', step: 'acc = acc + v;', combine: 'a = a + b;', result: 'bitcast<u32>(acc)' };
    case 'max':
      return isInt
        ? { T, load, init: 'i32(-2147483647 - 1)', step: 'acc = max(acc, v);', combine: 'a = max(a, b);', result: 'bitcast<u32>(acc)' }
        : { T, load, init: '-f32_inf()', step: 'if (v > acc || is_nan(v)) { acc = v; }', combine: 'if (b > a || is_nan(b)) { a = b; }', result: 'bitcast<u32>(acc)' };
    case 'argmax':
      // idx NONE (0xffffffff) marks "no candidate yet"; it loses every tie, and means 0 at the end.
      return {
        T,
        load,
        init: isInt ? 'i32(-2147483647 - 1)' : '-f32_inf()',
        step: isInt ? 'if (v > acc || idx == 0xffffffffu) { acc = v; idx = j; }' : 'if (v > acc) { acc = v; idx = j; }',
        combine: '',
        result: 'select(idx, 0u, idx == 0xffffffffu)',
      };
  }
}

function reduceWgsl(op: ReduceOp, isInt: boolean, perGroup: boolean): string {
  const p = opParts(op, isInt);
  const head = /* wgsl */ `
${UNIFORMS_WGSL}
@group(0) @binding(1) var<storage, read> xm: array<u32>;
@group(0) @binding(2) var<storage, read_write> ym: array<u32>;
fn kept_offset(o: u32) -> u32 {
  var rem = o;
  var off = um(4u);
  for (var d = i32(um(2u)) - 1; d >= 0; d--) {
    let size = um(5u + u32(d));
    off += (rem % size) * um(13u + u32(d));
    rem = rem / size;
  }
  return off;
}
fn reduced_offset(j: u32) -> u32 {
  var rem = j;
  var off = 0u;
  for (var d = i32(um(3u)) - 1; d >= 0; d--) {
    let size = um(21u + u32(d));
    off += (rem % size) * um(29u + u32(d));
    rem = rem / size;
  }
  return off;
}
`;
  if (!perGroup) {
    return /* wgsl */ `${head}
${LINEAR_INDEX_WGSL(256)}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let o = linear_index(wid, nwg, lid);
  if (o >= um(0u)) { return; }
  let base = kept_offset(o);
  var acc: ${p.T} = ${p.init};
  var idx = 0xffffffffu;
  for (var j = 0u; j < um(1u); j++) {
    let e = base + reduced_offset(j);
    let v = ${p.load};
    ${p.step}
  }
  ym[o] = ${p.result};
}
`;
  }
  const tree =
    op === 'argmax'
      ? `sv[t] = acc; si[t] = idx;
  workgroupBarrier();
  for (var s = ${GROUP / 2}u; s > 0u; s >>= 1u) {
    if (t < s) {
      let b = sv[t + s]; let bi = si[t + s];
      if (b > sv[t] || (b == sv[t] && bi < si[t])) { sv[t] = b; si[t] = bi; }
    }
    workgroupBarrier();
  }
  idx = si[0];`
      : `sv[t] = acc;
  workgroupBarrier();
  for (var s = ${GROUP / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { var a = sv[t]; let b = sv[t + s]; ${p.combine} sv[t] = a; }
    workgroupBarrier();
  }
  acc = sv[0];`;
  return /* wgsl */ `${head}
var<workgroup> sv: array<${p.T}, ${GROUP}>;
var<workgroup> si: array<u32, ${GROUP}>;
@compute @workgroup_size(${GROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let o = wid.y * nwg.x + wid.x;
  if (o >= um(0u)) { return; }
  let base = kept_offset(o);
  var acc: ${p.T} = ${p.init};
  var idx = 0xffffffffu;
  for (var j = t; j < um(1u); j += ${GROUP}u) {
    let e = base + reduced_offset(j);
    let v = ${p.load};
    ${p.step}
  }
  ${tree}
  if (t == 0u) { ym[o] = ${p.result}; }
}
`;
}

/** Records a reduction of `x` over `axes` into a new storage. */
function reduce(backend: WebGpuBackend, op: ReduceOp, x: TensorView, axes: readonly number[], outDType: 'f32' | 'i32'): unknown {
  const strides = contiguousStrides(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((i) => x.shape[i]!);
  const redShape = axes.map((i) => x.shape[i]!);
  const nOut = sizeOf(keptShape);
  const r = sizeOf(redShape);
  const out = backend.output(outDType, nOut);
  if (nOut === 0) return out;
  if (kept.length > MAX_RANK || axes.length > MAX_RANK) throw new BackendError(`webgpu ${op}: rank ${x.shape.length} is above ${MAX_RANK}`);
  const u = new Uint32Array(37);
  u[0] = nOut;
  u[1] = r;
  u[2] = kept.length;
  u[3] = axes.length;
  u[4] = x.offset;
  u.set(keptShape, 5);
  u.set(kept.map((i) => strides[i]!), 13);
  u.set(redShape, 21);
  u.set(axes.map((i) => strides[i]!), 29);
  const isInt = x.dtype === 'i32';
  const perGroup = r > SHORT;
  backend.dispatch({
    key: `reduce|${op}|${x.dtype}|${perGroup ? 'group' : 'thread'}`,
    code: () => reduceWgsl(op, isInt, perGroup),
    uniforms: u,
    bindings: [
      { buffer: bufferOf(x), readOnly: true },
      { buffer: out.buffer, readOnly: false },
    ],
    workgroups: perGroup ? grid1d(nOut, 1) : grid1d(nOut, 256),
  });
  return out;
}

const sum: GpuKernelFn<ReduceAttrs> = ({ inputs: [x], attrs, outputs: [o], backend }) => [reduce(backend, 'sum', x!, attrs.axes, o!.dtype as 'f32' | 'i32')];
const max: GpuKernelFn<ReduceAttrs> = ({ inputs: [x], attrs, outputs: [o], backend }) => [reduce(backend, 'max', x!, attrs.axes, o!.dtype as 'f32' | 'i32')];
const argmax: GpuKernelFn<ArgmaxAttrs> = ({ inputs: [x], attrs, backend }) => [reduce(backend, 'argmax', x!, [attrs.axis], 'i32')];

export const reduceKernels = [
  { op: 'sum', backend: 'webgpu', run: sum },
  { op: 'max', backend: 'webgpu', run: max },
  { op: 'argmax', backend: 'webgpu', run: argmax },
] as KernelConfig<never, WebGpuBackend>[];
