/**
 * The "map" kernel family: one thread per element of an iteration shape, reading up to three
 * strided views (any strides, 0 for broadcast, an element offset) and writing one strided view.
 * Elementwise math, comparisons, where, cast, contiguous, concat and pad pieces, rope and oneHot
 * are all maps that differ only in their body (a few WGSL statements).
 *
 * Geometry: 256 threads per workgroup on a grid1d; thread i decodes its row-major index against
 * the shape in the uniforms. Views that read densely skip the decoding (`offset + i`), and
 * adjacent axes that are contiguous in every view are merged first, so most launches take the
 * fast path. Uniform words: 0 n, 1 rank, 2–3 attrs, 4–11 shape, then 9 words per view
 * (offset, 8 strides): the output at 12, inputs at 21, 30, 39.
 */
import { BackendError } from '@evejs/tensor';
import type { StorageKind } from '../storage-layout.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { CONVERT_WGSL, decode, grid1d, inputBinding, LINEAR_INDEX_WGSL, outputBinding, UNIFORMS_WGSL, WG } from './common.wgsl.js';

const MAX_RANK = 8;
const MAX_INPUTS = 3;
const viewBase = (slot: number): number => 12 + slot * 9; // slot 0 = output

/** A strided view of a buffer, with strides already broadcast to the iteration shape. */
export interface MapView {
  buffer: GPUBuffer;
  kind: StorageKind;
  offset: number;
  strides: readonly number[];
}

export interface MapSpec {
  /** Names the body in the pipeline key (e.g. "unary:exp"). */
  body: string;
  /** WGSL statements: given `i`, `o<k>`, `r<k>` (raw u32) and `v<k>` (decoded), set `result` (raw u32). */
  code: string;
  shape: readonly number[];
  inputs: readonly MapView[];
  out: MapView;
  /** Module-scope WGSL the body calls (math helpers). */
  helpers?: string;
  /** Up to two u32 words (floats as bits) at uniform words 2 and 3. */
  attrs?: readonly number[];
}

/** Row-major strides of a contiguous shape. */
export function denseStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Drops size-1 axes and merges axes that are contiguous with their neighbour in every view. */
function simplify(shape: readonly number[], views: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const keep = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  const outShape: number[] = [];
  const outStrides: number[][] = views.map(() => []);
  for (const i of keep) {
    const last = outShape.length - 1;
    const d = shape[i]!;
    if (last >= 0 && views.every((s, v) => outStrides[v]![last] === s[i]! * d)) {
      outShape[last]! *= d;
      views.forEach((s, v) => (outStrides[v]![last] = s[i]!));
    } else {
      outShape.push(d);
      views.forEach((s, v) => outStrides[v]!.push(s[i]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

function isDense(shape: readonly number[], strides: readonly number[]): boolean {
  const d = denseStrides(shape);
  return strides.every((s, i) => s === d[i] || shape[i] === 1);
}

/** Records one map dispatch. */
export function runMap(backend: WebGpuBackend, spec: MapSpec): void {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  if (spec.inputs.length > MAX_INPUTS) throw new BackendError(`webgpu map: at most ${MAX_INPUTS} inputs`);
  const views = [spec.out, ...spec.inputs];
  const simple = simplify(spec.shape, views.map((v) => v.strides));
  if (simple.shape.length > MAX_RANK) {
    throw new BackendError(`webgpu: ${spec.body} on a rank-${simple.shape.length} strided view is not supported (max rank ${MAX_RANK} after merging axes)`);
  }
  const dense = simple.strides.map((s) => isDense(simple.shape, s));
  const u = new Uint32Array(12 + views.length * 9);
  u[0] = n;
  u[1] = simple.shape.length;
  u[2] = spec.attrs?.[0] ?? 0;
  u[3] = spec.attrs?.[1] ?? 0;
  u.set(simple.shape, 4);
  views.forEach((v, k) => {
    u[viewBase(k)] = v.offset;
    // Negative strides wrap to u32; the shader's u32 arithmetic wraps back to the right offset.
    simple.strides[k]!.forEach((s, d) => (u[viewBase(k) + 1 + d] = s >>> 0));
  });
  const kinds = views.map((v) => v.kind).join(',');
  const key = `map|${spec.body}|${kinds}|${dense.map((d) => (d ? 'd' : 's')).join('')}`;
  backend.dispatch({
    key,
    code: () => mapWgsl(spec, dense),
    uniforms: u,
    bindings: [...spec.inputs.map((v) => ({ buffer: v.buffer, readOnly: true })), { buffer: spec.out.buffer, readOnly: false }],
    workgroups: grid1d(n),
  });
}

function mapWgsl(spec: MapSpec, dense: readonly boolean[]): string {
  const ins = spec.inputs;
  const offsetOf = (slot: number): string =>
    dense[slot] ? `um(${viewBase(slot)}u) + i` : `view_offset(i, ${viewBase(slot)}u)`;
  return /* wgsl */ `
${UNIFORMS_WGSL}
${CONVERT_WGSL}
${LINEAR_INDEX_WGSL(WG)}
${spec.helpers ?? ''}
${ins.map((v, k) => inputBinding(k + 1, `in${k}`, v.kind)).join('')}
${outputBinding(ins.length + 1, 'out', spec.out.kind)}
// Element offset of row-major index i in the view whose (offset, strides) start at word base.
fn view_offset(i: u32, base: u32) -> u32 {
  var rem = i;
  var o = um(base);
  for (var d = i32(um(1u)) - 1; d >= 0; d--) {
    let size = um(4u + u32(d));
    o += (rem % size) * um(base + 1u + u32(d));
    rem = rem / size;
  }
  return o;
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = linear_index(wid, nwg, lid);
  if (i >= um(0u)) { return; }
${ins.map((v, k) => `  let o${k} = ${offsetOf(k + 1)};\n  let r${k} = raw_in${k}(o${k});\n  let v${k} = ${decode(v.kind, `r${k}`)};\n`).join('')}
  var result = 0u;
  ${spec.code}
  store_out(${offsetOf(0)}, result);
}
`;
}
