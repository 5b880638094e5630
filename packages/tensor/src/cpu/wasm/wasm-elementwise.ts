/**
 * Binary f32 arithmetic (+, −, ×, ÷) with matmul.wat's SIMD loops, four lanes at a time, on the
 * main thread. CPU tensors live in JS typed arrays, so each run of values is copied into WASM
 * memory a chunk at a time, computed there and copied back: three memcpys and a SIMD pass still
 * take a fraction of the time of the TypeScript loop (V8 does not vectorise it). Training spends
 * much of its elementwise time here: gradient accumulation, grad-norm squares, clipping scales,
 * SwiGLU products.
 *
 * An IEEE f32 operation on two f32 values equals the f64 operation rounded to f32 (the
 * TypeScript loops' arithmetic), so both paths give the same bits.
 */
import { sharedCopyParity, wasmStaging, type MatmulExports } from './wasm-matmul.js';

export type WasmBinaryOp = 'add' | 'sub' | 'mul' | 'div';

const KERNEL: Record<WasmBinaryOp, 'addF32' | 'subF32' | 'mulF32' | 'divF32'> = { add: 'addF32', sub: 'subF32', mul: 'mulF32', div: 'divF32' };

/** Values per operand per pass: three 64 KiB areas, which stay in L2. */
const CHUNK = 16384;
/** Floats per staging area: a chunk and room to shift it (sharedCopyParity). */
const AREA = CHUNK + 4;

export function isWasmBinaryOp(op: string): op is WasmBinaryOp {
  return op in KERNEL;
}

/**
 * o[oi + j] = a[ai + j·sa] op b[bi + j·sb] for j < n, where each stride is 1 (dense) or 0 (a
 * scalar), not both 0. Returns false where WebAssembly SIMD is unavailable (the caller then runs
 * its TypeScript loop).
 */
export function binaryWasm(op: WasmBinaryOp, o: Float32Array, oi: number, a: Float32Array, ai: number, sa: 0 | 1, b: Float32Array, bi: number, sb: 0 | 1, n: number): boolean {
  const s = wasmStaging(3 * AREA * 4);
  if (!s) return false;
  const { mem, at } = s;
  const kernel = s.kernels[KERNEL[op]] as MatmulExports['addF32'];
  // Each area starts at the parity of its JS-side index (see sharedCopyParity).
  const aAt = at + sharedCopyParity(a, ai);
  const bAt = at + AREA + sharedCopyParity(b, bi);
  const oAt = at + 2 * AREA + sharedCopyParity(o, oi);
  if (sa === 0) mem.fill(a[ai]!, aAt, aAt + 4);
  if (sb === 0) mem.fill(b[bi]!, bAt, bAt + 4);
  for (let lo = 0; lo < n; lo += CHUNK) {
    const len = Math.min(CHUNK, n - lo);
    if (sa === 1) mem.set(a.subarray(ai + lo, ai + lo + len), aAt);
    if (sb === 1) mem.set(b.subarray(bi + lo, bi + lo + len), bAt);
    // The tail lanes past len hold stale values: computed, never copied out.
    kernel(aAt * 4, bAt * 4, oAt * 4, Math.ceil(len / 4) * 4, sa * 16, sb * 16);
    o.set(mem.subarray(oAt, oAt + len), oi + lo);
  }
  return true;
}
