/**
 * WebGPU kernels of the quantised ops (layout in @evejs/tensor's quantize.ts): i32 words of packed
 * int8 (q8_0) or nibbles (q4_0) and f16 scales two per word, decoded in the shader.
 *
 * quantizedMatmul: one invocation per output element, walking its weight row block by block and
 * applying each block's scale once per 32 products. Simple and exact to f32 rounding; a tiled
 * kernel sharing x through workgroup memory would be faster for long prompts.
 * quantizedGather / dequantize: one invocation per output value.
 *
 * A weight larger than one storage binding (a 32000×4096 q8_0 table is 131 MB; lavapipe binds at
 * most 128 MiB) is processed in row slices that each fit, bound from 256-byte aligned offsets.
 * An embedding id outside [0, rows) writes 0 and records the error like `gather`.
 */
import { sizeOf, valuesPerWord, type KernelConfig, type QuantAttrs, type QuantFormat, type TensorView } from '@evejs/tensor/backend';
import { grid1d, LINEAR_INDEX_WGSL, UNIFORMS_WGSL, WG } from '../shaders/common.wgsl.js';
import { KERNEL_ERROR, type WebGpuBackend } from '../webgpu-backend.js';
import { bufferOf, type GpuKernelFn } from './views.js';

/** Decoding one weight value: q(w, j) for element j of a word, and the scale at half-word index s. */
function decodeWgsl(format: QuantFormat): string {
  const q = format === 'q8_0' ? 'f32(bitcast<i32>(w << (24u - 8u * j)) >> 24u)' : 'f32(i32((w >> (4u * j)) & 15u) - 8)';
  return /* wgsl */ `
const PW: u32 = ${valuesPerWord(format)}u;
fn qval(w: u32, j: u32) -> f32 { return ${q}; }
fn scale(s: u32) -> f32 { return unpack2x16float(sm[s >> 1u])[s & 1u]; }
`;
}

// Uniform words: 0 outputs, 1 M, 2 slice rows, 3 K, 4 x offset, 5 quants offset in the bound slice,
// 6 scales offset in the bound slice, 7 first row of the slice, 8 N (output row length).
const matmulWgsl = (format: QuantFormat) => /* wgsl */ `
${UNIFORMS_WGSL}
${LINEAR_INDEX_WGSL(WG)}
@group(0) @binding(1) var<storage, read> xm: array<f32>;
@group(0) @binding(2) var<storage, read> qm: array<u32>;
@group(0) @binding(3) var<storage, read> sm: array<u32>;
@group(0) @binding(4) var<storage, read_write> ym: array<f32>;
${decodeWgsl(format)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = linear_index(wid, nwg, lid);
  if (i >= um(0u)) { return; }
  let rows = um(2u);
  let K = um(3u);
  let m = i / rows;
  let r = i % rows;
  let blocks = K / 32u;
  let wpb = 32u / PW;
  let xrow = um(4u) + m * K;
  let qrow = um(5u) + r * blocks * wpb;
  let srow = um(6u) + r * blocks;
  var acc = 0.0;
  for (var b = 0u; b < blocks; b++) {
    var part = 0.0;
    for (var w = 0u; w < wpb; w++) {
      let word = qm[qrow + b * wpb + w];
      let xb = xrow + b * 32u + w * PW;
      for (var j = 0u; j < PW; j++) { part += qval(word, j) * xm[xb + j]; }
    }
    acc += part * scale(srow + b);
  }
  ym[m * um(8u) + um(7u) + r] = acc;
}
`;

// Uniform words: 0 outputs, 1 K, 2 ids offset, 3 quants offset, 4 scales offset, 5 slice's first
// row, 6 slice rows, 7 rows, 8 first slice (reports bad ids), 9 gather (1) or every row (0).
const rowsWgsl = (format: QuantFormat) => /* wgsl */ `
${UNIFORMS_WGSL}
${LINEAR_INDEX_WGSL(WG)}
@group(0) @binding(1) var<storage, read> qm: array<u32>;
@group(0) @binding(2) var<storage, read> sm: array<u32>;
@group(0) @binding(3) var<storage, read> ids: array<i32>;
@group(0) @binding(4) var<storage, read_write> ym: array<f32>;
@group(0) @binding(5) var<storage, read_write> flag: array<atomic<i32>, 4>;
${decodeWgsl(format)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = linear_index(wid, nwg, lid);
  if (i >= um(0u)) { return; }
  let K = um(1u);
  var id = i32(i / K);
  if (um(9u) == 1u) { id = ids[um(2u) + i / K]; }
  let local = id - i32(um(5u));
  if (local >= 0 && local < i32(um(6u))) {
    let e = u32(local) * K + i % K;
    ym[i] = qval(qm[um(3u) + e / PW], e % PW) * scale(um(4u) + e / 32u);
  } else if (um(8u) == 1u && (id < 0 || id >= i32(um(7u)))) {
    ym[i] = 0.0;
    if (atomicCompareExchangeWeak(&flag[0], 0, ${KERNEL_ERROR.gatherIndex}).exchanged) { atomicStore(&flag[1], id); atomicStore(&flag[2], i32(um(7u))); }
  }
}
`;

interface RowSlice {
  r0: number;
  count: number;
  quants: { offset: number; size?: number; elem: number };
  scales: { offset: number; size?: number; elem: number };
}

/**
 * Row slices of a quantised weight such that each slice's quants and scales fit one binding;
 * `elem` is the slice's first element relative to its bound offset (words for quants, halves
 * for scales).
 */
function rowSlices(backend: WebGpuBackend, quants: TensorView, scales: TensorView): RowSlice[] {
  const rows = quants.shape[0]!;
  const wordsPerRow = quants.shape[1]!;
  const halvesPerRow = scales.shape[1]!;
  const limit = backend.limits.maxStorageBufferBindingSize;
  const whole = (quants.offset + rows * wordsPerRow) * 4 <= limit && Math.ceil((scales.offset + rows * halvesPerRow) / 2) * 4 <= limit;
  if (whole) {
    return [{ r0: 0, count: rows, quants: { offset: 0, elem: quants.offset }, scales: { offset: 0, elem: scales.offset } }];
  }
  const perSlice = Math.max(1, Math.floor((limit - 512) / (wordsPerRow * 4)));
  const out: RowSlice[] = [];
  const bind = (buffer: GPUBuffer, startByte: number, bytes: number) => {
    const offset = Math.floor(startByte / 256) * 256;
    return { offset, size: Math.min(buffer.size - offset, Math.ceil((startByte - offset + bytes) / 4) * 4) };
  };
  for (let r0 = 0; r0 < rows; r0 += perSlice) {
    const count = Math.min(perSlice, rows - r0);
    const qStart = (quants.offset + r0 * wordsPerRow) * 4;
    const sStart = (scales.offset + r0 * halvesPerRow) * 2;
    const q = bind(bufferOf(quants), qStart, count * wordsPerRow * 4);
    const s = bind(bufferOf(scales), sStart, count * halvesPerRow * 2 + 2);
    out.push({ r0, count, quants: { ...q, elem: (qStart - q.offset) / 4 }, scales: { ...s, elem: (sStart - s.offset) / 2 } });
  }
  return out;
}

const binding = (buffer: GPUBuffer, b: { offset: number; size?: number }) => ({ buffer, readOnly: true, offset: b.offset, ...(b.size !== undefined ? { size: b.size } : {}) });

const quantizedMatmul: GpuKernelFn<QuantAttrs> = ({ inputs: [x, quants, scales], attrs: { format }, outputs: [o], backend }) => {
  const n = quants!.shape[0]!;
  const k = quants!.shape[1]! * valuesPerWord(format);
  const m = sizeOf(x!.shape) / k;
  const out = backend.output('f32', sizeOf(o!.shape));
  if (m * n === 0) return [out];
  for (const s of rowSlices(backend, quants!, scales!)) {
    const total = m * s.count;
    backend.dispatch({
      key: `quantizedMatmul|${format}`,
      code: () => matmulWgsl(format),
      uniforms: new Uint32Array([total, m, s.count, k, x!.offset, s.quants.elem, s.scales.elem, s.r0, n]),
      bindings: [
        { buffer: bufferOf(x!), readOnly: true },
        binding(bufferOf(quants!), s.quants),
        binding(bufferOf(scales!), s.scales),
        { buffer: out.buffer, readOnly: false },
      ],
      workgroups: grid1d(total),
    });
  }
  return [out];
};

/** quantizedGather (ids given) and dequantize (every row in order) share one shader. */
function decodeRows(backend: WebGpuBackend, format: QuantFormat, quants: TensorView, scales: TensorView, ids: TensorView | null, outSize: number) {
  const out = backend.output('f32', outSize);
  if (outSize === 0) return out;
  const rows = quants.shape[0]!;
  const k = quants.shape[1]! * valuesPerWord(format);
  for (const [si, s] of rowSlices(backend, quants, scales).entries()) {
    backend.dispatch({
      key: `quantizedRows|${format}`,
      code: () => rowsWgsl(format),
      uniforms: new Uint32Array([outSize, k, ids?.offset ?? 0, s.quants.elem, s.scales.elem, s.r0, s.count, rows, si === 0 ? 1 : 0, ids ? 1 : 0]),
      bindings: [
        binding(bufferOf(quants), s.quants),
        binding(bufferOf(scales), s.scales),
        // dequantize reads no ids; any buffer fills the slot.
        { buffer: bufferOf(ids ?? quants), readOnly: true },
        { buffer: out.buffer, readOnly: false },
        { buffer: backend.errorFlag, readOnly: false },
      ],
      workgroups: grid1d(outSize),
    });
  }
  return out;
}

const quantizedGather: GpuKernelFn<QuantAttrs> = ({ inputs: [quants, scales, ids], attrs: { format }, outputs: [o], backend }) => [
  decodeRows(backend, format, quants!, scales!, ids!, sizeOf(o!.shape)),
];

const dequantize: GpuKernelFn<QuantAttrs> = ({ inputs: [quants, scales], attrs: { format }, outputs: [o], backend }) => [
  decodeRows(backend, format, quants!, scales!, null, sizeOf(o!.shape)),
];

export const quantizedKernels = [
  { op: 'quantizedMatmul', backend: 'webgpu', run: quantizedMatmul },
  { op: 'quantizedGather', backend: 'webgpu', run: quantizedGather },
  { op: 'dequantize', backend: 'webgpu', run: dequantize },
] as KernelConfig<never, WebGpuBackend>[];
