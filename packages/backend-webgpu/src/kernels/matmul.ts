/**
 * WebGPU matmul: C[b] = op(A[b]) · op(B[b]) with transposeA/B, broadcast batch dimensions and an
 * f16/bf16 `b` decoded in the shader, accumulating in f32.
 *
 * Tiling: each 16×16 workgroup (256 invocations, SwiftShader's limit) computes a 64×64 tile of C,
 * a 4×4 block per invocation held in four vec4 registers, staging 64×16 slices of A and B through workgroup memory (8 KiB)
 * so each loaded element is reused 64 times. Tile loads are ordered along whichever axis is
 * contiguous in memory (k for plain A, rows for transposed A; likewise for B). Shapes need not be
 * multiples of the tile: loads outside the matrix read 0 and stores are guarded.
 *
 * Batches: grid z is the flat batch index; the shader decodes it against the broadcast batch shape
 * and per-operand batch strides (0 where an operand is broadcast; any stride for a view whose
 * matrices are dense, e.g. a KV-cache prefix), so nothing is copied.
 *
 * A `b` larger than one storage binding (maxStorageBufferBindingSize, 128 MiB on lavapipe: a
 * 32000×4096 f16 lm_head is 250 MiB) is split along N into bindings that each fit, one dispatch
 * per slice; this needs `b` 2-D and transposed (PyTorch's [out, in] layout), which is how large
 * weights arrive. Other oversize operands are rejected with a BackendError naming the limit.
 */
import { BackendError } from '@evejs/tensor';
import { bytesPerElement, matmulBatchStrides, matmulDims, sizeOf, type KernelConfig, type MatmulAttrs } from '@evejs/tensor/backend';
import { UNIFORMS_WGSL } from '../shaders/common.wgsl.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { bufferOf, type GpuKernelFn } from './views.js';

const TILE = 64;
const TK = 16;
const MAX_BATCH_RANK = 6;

type BKind = 'f32' | 'f16-native' | 'f16-unpack' | 'bf16';

function loadB(kind: BKind): string {
  switch (kind) {
    case 'f32':
      return 'bitcast<f32>(bm[e])';
    case 'f16-native':
      return 'f32(bm[e])';
    case 'f16-unpack':
      return 'unpack2x16float(bm[e >> 1u])[e & 1u]';
    case 'bf16':
      return 'bitcast<f32>(((bm[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu) << 16u)';
  }
}

/** WGSL for one (transposeA, transposeB, b kind) variant. Uniform words are listed in `run`. */
function matmulWgsl(transposeA: boolean, transposeB: boolean, kind: BKind): string {
  const bType = kind === 'f16-native' ? 'f16' : 'u32';
  // Thread t loads 4 elements of each tile; idx = t + 256·j walks the tile along its contiguous axis.
  const aLoad = transposeA
    ? 'let kk = idx / 64u; let rr = idx % 64u; let r = row0 + rr; let k = k0 + kk; var v = 0.0; if (r < M && k < K) { v = bitcast<f32>(am[aoff + k * M + r]); } As[kk][rr / 4u][rr % 4u] = v;'
    : 'let rr = idx / 16u; let kk = idx % 16u; let r = row0 + rr; let k = k0 + kk; var v = 0.0; if (r < M && k < K) { v = bitcast<f32>(am[aoff + r * K + k]); } As[kk][rr / 4u][rr % 4u] = v;';
  const bLoad = transposeB
    ? 'let cc = idx / 16u; let kk = idx % 16u; let c = col0 + cc; let k = k0 + kk; var v = 0.0; if (c < NC && k < K) { v = load_b(boff + c * K + k); } Bs[kk][cc / 4u][cc % 4u] = v;'
    : 'let kk = idx / 64u; let cc = idx % 64u; let c = col0 + cc; let k = k0 + kk; var v = 0.0; if (c < NC && k < K) { v = load_b(boff + k * N + c); } Bs[kk][cc / 4u][cc % 4u] = v;';
  return /* wgsl */ `${kind === 'f16-native' ? 'enable f16;' : ''}
${UNIFORMS_WGSL}
@group(0) @binding(1) var<storage, read> am: array<u32>;
@group(0) @binding(2) var<storage, read> bm: array<${bType}>;
@group(0) @binding(3) var<storage, read_write> cm: array<f32>;
fn load_b(e: u32) -> f32 { return ${loadB(kind)}; }
var<workgroup> As: array<array<vec4<f32>, ${TILE / 4}>, ${TK}>;
var<workgroup> Bs: array<array<vec4<f32>, ${TILE / 4}>, ${TK}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let M = um(0u); let K = um(1u); let N = um(2u); let NC = um(3u); let nStart = um(4u);
  // This batch's operand offsets from its multi-index.
  var aoff = um(5u);
  var boff = um(6u);
  var rem = wid.z;
  for (var d = i32(um(7u)) - 1; d >= 0; d--) {
    let size = um(8u + u32(d));
    let ix = rem % size;
    rem = rem / size;
    aoff += ix * um(14u + u32(d));
    boff += ix * um(20u + u32(d));
  }
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  // Invocation (x, y) owns rows 4y..4y+3 and columns 4x..4x+3 of the tile: four vec4 rows of
  // C in registers, updated with vec4 FMAs (register blocking, which llvmpipe rewards too).
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < K; k0 += ${TK}u) {
    for (var j = 0u; j < 4u; j++) {
      let idx = t + 256u * j;
      { ${aLoad} }
      { ${bLoad} }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      let a = As[kk][lid.y];
      let b = Bs[kk][lid.x];
      c0 = fma(vec4<f32>(a.x), b, c0);
      c1 = fma(vec4<f32>(a.y), b, c1);
      c2 = fma(vec4<f32>(a.z), b, c2);
      c3 = fma(vec4<f32>(a.w), b, c3);
    }
    workgroupBarrier();
  }
  let cbase = wid.z * M * N;
  let rows = array<vec4<f32>, 4>(c0, c1, c2, c3);
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x * 4u + j;
      if (r < M && c < NC) { cm[cbase + r * N + nStart + c] = rows[i][j]; }
    }
  }
}
`;
}

const run: GpuKernelFn<MatmulAttrs> = ({ inputs: [a, b], attrs, backend }) => {
  const { m, k, n, batch } = matmulDims(a!.shape, b!.shape, attrs);
  const nb = sizeOf(batch);
  const out = backend.output('f32', nb * m * n);
  if (nb * m * n === 0) return [out];
  if (batch.length > MAX_BATCH_RANK) throw new BackendError(`webgpu matmul: at most ${MAX_BATCH_RANK} batch dimensions, got ${batch.length}`);
  if (nb > 65535) throw new BackendError(`webgpu matmul: at most 65535 batches per dispatch, got ${nb}`);
  // The views' own batch strides: batch-strided operands (KV-cache prefixes) need no copy.
  const aStrides = matmulBatchStrides(a!, batch);
  const bStrides = matmulBatchStrides(b!, batch);
  const kind: BKind = b!.dtype === 'f32' ? 'f32' : b!.dtype === 'bf16' ? 'bf16' : backend.hasShaderF16 ? 'f16-native' : 'f16-unpack';
  const { transposeA, transposeB } = attrs;
  const key = `matmul|${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}|${kind}`;
  const bpe = bytesPerElement(b!.dtype);
  const bBuffer = bufferOf(b!);
  // The bytes b's view reaches (past its last element), which a strided view may stretch.
  const bBytes = (b!.offset + b!.shape.reduce((e, d, i) => e + (d - 1) * b!.strides[i]!, 1)) * bpe;
  const limit = backend.limits.maxStorageBufferBindingSize;

  // Column slices [nStart, nStart + count) of B, each bound on its own when B is too large.
  const slices: { nStart: number; count: number; byteOffset: number; elemOffset: number; byteSize?: number }[] = [];
  if (bBytes <= limit) {
    slices.push({ nStart: 0, count: n, byteOffset: 0, elemOffset: b!.offset });
  } else {
    if (!transposeB || b!.shape.length !== 2) {
      throw new BackendError(
        `webgpu matmul: b ${JSON.stringify(b!.shape)} (${bBytes} bytes) exceeds maxStorageBufferBindingSize (${limit} bytes); only a 2-D transposed b ([out, in]) can be split across bindings`,
      );
    }
    const rowBytes = k * bpe;
    const perSlice = Math.floor((limit - 512) / rowBytes);
    if (perSlice < 1) throw new BackendError(`webgpu matmul: one row of b (${rowBytes} bytes) exceeds maxStorageBufferBindingSize (${limit} bytes)`);
    for (let s = 0; s < n; s += perSlice) {
      const count = Math.min(perSlice, n - s);
      const startByte = (b!.offset + s * k) * bpe;
      const byteOffset = Math.floor(startByte / 256) * 256; // minStorageBufferOffsetAlignment
      const byteSize = Math.ceil((startByte - byteOffset + count * rowBytes) / 4) * 4;
      slices.push({ nStart: s, count, byteOffset, elemOffset: (startByte - byteOffset) / bpe, byteSize: Math.min(byteSize, bBuffer.size - byteOffset) });
    }
  }
  for (const s of slices) {
    const u = new Uint32Array(26);
    u[0] = m;
    u[1] = k;
    u[2] = n;
    u[3] = s.count;
    u[4] = s.nStart;
    u[5] = a!.offset;
    u[6] = s.elemOffset;
    u[7] = batch.length;
    u.set(batch, 8);
    u.set(aStrides, 14);
    u.set(bStrides, 20);
    backend.dispatch({
      key,
      code: () => matmulWgsl(transposeA, transposeB, kind),
      uniforms: u,
      bindings: [
        { buffer: bufferOf(a!), readOnly: true },
        { buffer: bBuffer, readOnly: true, offset: s.byteOffset, ...(s.byteSize !== undefined ? { size: s.byteSize } : {}) },
        { buffer: out.buffer, readOnly: false },
      ],
      workgroups: [Math.ceil(s.count / TILE), Math.ceil(m / TILE), nb],
    });
  }
  return [out];
};

export const matmulKernel: KernelConfig<MatmulAttrs, WebGpuBackend> = { op: 'matmul', backend: 'webgpu', run };
