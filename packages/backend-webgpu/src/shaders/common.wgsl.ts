/**
 * WGSL shared by every kernel family: the uniform block, element loads and stores for each
 * storage kind (storage-layout.ts), exact f16/bf16 conversions, and the 1-D grid helpers.
 *
 * Uniforms are 64 u32 words in 16 vec4s (one 256-byte arena slot); floats travel as their bits.
 * f16/bf16 conversions are written with integer ops so they round exactly like the CPU backend
 * (round-to-nearest-even, subnormals kept, overflow to ±inf), whatever the driver's
 * pack2x16float does; matmul's hot loop uses native f16 or unpack2x16float instead (matmul.ts).
 */
import { isHalfKind, type StorageKind } from '../storage-layout.js';

/** Threads per workgroup for 1-D kernels: within SwiftShader's 256-invocation limit. */
export const WG = 256;

/** Workgroups for `n` threads of `wg`, folded into y when x would pass the 65535 limit. */
export function grid1d(n: number, wg = WG): [number, number] {
  const groups = Math.ceil(n / wg);
  if (groups <= 65535) return [groups, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}

export const UNIFORMS_WGSL = /* wgsl */ `
@group(0) @binding(0) var<uniform> U: array<vec4<u32>, 16>;
fn um(i: u32) -> u32 { return U[i / 4u][i % 4u]; }
fn umf(i: u32) -> f32 { return bitcast<f32>(um(i)); }
// Infinity and NaN built from a runtime zero: WGSL constant evaluation rejects non-finite values.
fn f32_inf() -> f32 { return bitcast<f32>(0x7f800000u | (um(0u) & 0u)); }
fn f32_nan() -> f32 { return bitcast<f32>(0x7fc00000u | (um(0u) & 0u)); }
// NaN tested on the bits: compilers may fold x != x to false (they assume no NaNs).
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
`;

/** The linear thread index of a grid1d dispatch. */
export const LINEAR_INDEX_WGSL = (wg: number) => /* wgsl */ `
fn linear_index(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 {
  return (wid.y * nwg.x + wid.x) * ${wg}u + lid.x;
}
`;

export const CONVERT_WGSL = /* wgsl */ `
fn f16_to_f32(h: u32) -> f32 {
  let s = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 0u) {
    let v = f32(m) * 5.9604644775390625e-8;
    return select(v, -v, s != 0u);
  }
  if (e == 31u) { return bitcast<f32>(s | 0x7f800000u | (m << 13u)); }
  return bitcast<f32>(s | ((e + 112u) << 23u) | (m << 13u));
}
fn bf16_to_f32(h: u32) -> f32 { return bitcast<f32>(h << 16u); }
fn f32_to_bf16(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu) != 0u) { return ((b >> 16u) | 0x40u) & 0xffffu; }
  let lsb = (b >> 16u) & 1u;
  return ((b + 0x7fffu + lsb) >> 16u) & 0xffffu;
}
fn f32_to_f16(x: f32) -> u32 {
  let bits = bitcast<u32>(x);
  let sgn = (bits >> 16u) & 0x8000u;
  let ex = i32((bits >> 23u) & 0xffu);
  var mant = bits & 0x7fffffu;
  if (ex == 255) { return sgn | 0x7c00u | select(0u, 0x200u, mant != 0u); }
  let e = ex - 112;
  if (e >= 31) { return sgn | 0x7c00u; }
  if (e <= 0) {
    if (e < -10) { return sgn; }
    mant = mant | 0x800000u;
    let sh = u32(14 - e);
    let hv = 1u << (sh - 1u);
    let rem = mant & ((1u << sh) - 1u);
    var m = mant >> sh;
    if (rem > hv || (rem == hv && (m & 1u) == 1u)) { m = m + 1u; }
    return sgn | m;
  }
  let rem = mant & 0x1fffu;
  var h = (u32(e) << 10u) | (mant >> 13u);
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u) == 1u)) { h = h + 1u; }
  return sgn | h;
}
`;

/** The WGSL type a kind's values are computed in. */
export function valueType(kind: StorageKind): 'f32' | 'i32' | 'u32' {
  return kind === 'i32' ? 'i32' : kind === 'u32' ? 'u32' : 'f32';
}

/** Decodes raw element bits (an expression) of `kind` into its value type. */
export function decode(kind: StorageKind, raw: string): string {
  switch (kind) {
    case 'f32':
      return `bitcast<f32>(${raw})`;
    case 'i32':
      return `bitcast<i32>(${raw})`;
    case 'u32':
      return raw;
    case 'f16':
      return `f16_to_f32(${raw})`;
    case 'bf16':
      return `bf16_to_f32(${raw})`;
  }
}

/** Encodes a value (an expression of the kind's value type) into raw element bits. */
export function encode(kind: StorageKind, value: string): string {
  switch (kind) {
    case 'f32':
    case 'i32':
      return `bitcast<u32>(${value})`;
    case 'u32':
      return value;
    case 'f16':
      return `f32_to_f16(${value})`;
    case 'bf16':
      return `f32_to_bf16(${value})`;
  }
}

/** A read-only input buffer `name` and `raw_<name>(element) -> u32`. */
export function inputBinding(binding: number, name: string, kind: StorageKind): string {
  const load = isHalfKind(kind) ? `(${name}[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu` : `${name}[e]`;
  return `@group(0) @binding(${binding}) var<storage, read> ${name}: array<u32>;
fn raw_${name}(e: u32) -> u32 { return ${load}; }
`;
}

/**
 * The output buffer `name` and `store_<name>(element, raw)`. 16-bit kinds share words between
 * neighbouring elements, so their stores are two atomics on disjoint bits (race-free whichever
 * threads own the neighbours); other kinds store plainly.
 */
export function outputBinding(binding: number, name: string, kind: StorageKind): string {
  if (!isHalfKind(kind)) {
    return `@group(0) @binding(${binding}) var<storage, read_write> ${name}: array<u32>;
fn store_${name}(e: u32, v: u32) { ${name}[e] = v; }
`;
  }
  return `@group(0) @binding(${binding}) var<storage, read_write> ${name}: array<atomic<u32>>;
fn store_${name}(e: u32, v: u32) {
  let sh = (e & 1u) * 16u;
  atomicAnd(&${name}[e >> 1u], ~(0xffffu << sh));
  atomicOr(&${name}[e >> 1u], (v & 0xffffu) << sh);
}
`;
}

/**
 * Workgroup tree reductions over `wg` invocations (a power of two). Call from uniform control
 * flow (every invocation of the workgroup), as they contain barriers.
 */
export const WORKGROUP_REDUCE_WGSL = (wg: number) => /* wgsl */ `
var<workgroup> red: array<f32, ${wg}>;
fn wg_sum(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] += red[t + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn wg_max(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { let b = red[t + s]; if (b > red[t] || is_nan(b)) { red[t] = b; } }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
`;
