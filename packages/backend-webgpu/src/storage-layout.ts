/**
 * How each dtype sits in a GPUBuffer, and the conversions upload/read do at the boundary.
 * f32 and i32: one u32 word per element. f16 and bf16: two elements per word (little-endian:
 * element 2w in the low half), so weights keep their size and shaders decode them from words.
 * bool and u8: one u32 word per element — WGSL has no 8-bit storage type, and per-element words
 * let kernels write them without atomics; they are rare and small (masks).
 * Buffers are rounded up to whole words (WebGPU needs sizes that are multiples of 4).
 */
import { type DType, type HostArray } from '@evejs/tensor';

/** The storage kind shaders see: how one element is read from u32 words. */
export type StorageKind = 'f32' | 'i32' | 'u32' | 'f16' | 'bf16';

export function storageKind(dtype: DType): StorageKind {
  switch (dtype) {
    case 'f32':
    case 'i32':
    case 'f16':
    case 'bf16':
      return dtype;
    case 'u8':
    case 'bool':
      return 'u32';
  }
}

/** True for the dtypes packed two per word. */
export const isHalfKind = (k: StorageKind): boolean => k === 'f16' || k === 'bf16';

/** Bytes a tensor of `size` elements of `dtype` takes on the GPU (whole words, at least one). */
export function gpuByteLength(dtype: DType, size: number): number {
  const words = isHalfKind(storageKind(dtype)) ? Math.ceil(size / 2) : size;
  return Math.max(1, words) * 4;
}

/** The bytes to upload for host values of `dtype` (padded to whole words). */
export function toGpuBytes(dtype: DType, data: HostArray): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(gpuByteLength(dtype, data.length));
  if (storageKind(dtype) === 'u32') {
    new Uint32Array(out.buffer).set(data as Uint8Array);
  } else {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return out;
}

/** Host values of `dtype` from bytes read back (which may be longer than needed). */
export function fromGpuBytes(dtype: DType, bytes: ArrayBuffer, size: number): HostArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(bytes.slice(0, size * 4));
    case 'i32':
      return new Int32Array(bytes.slice(0, size * 4));
    case 'f16':
    case 'bf16':
      return new Uint16Array(bytes.slice(0, size * 2));
    case 'u8':
    case 'bool':
      return Uint8Array.from(new Uint32Array(bytes, 0, size));
  }
}
