/**
 * A free list of the CPU backend's host arrays, by element type and size class.
 *
 * Why: a fresh typed array of a few hundred KiB is zeroed memory the allocator maps in and the
 * kernel faults in page by page, then the garbage collector unmaps it again; on the machines we
 * measured that costs ~10× the arithmetic of an elementwise op over it (docs/PERFORMANCE.md).
 * Training repeats the same shapes every step and decoding grows them one position at a time
 * (the KV cache, attention scores), so arrays the engine frees (`CpuBackend.free`, called when a
 * storage's last tensor is released) are kept here and handed to the next kernel output of the
 * same type and size class. Classes are 1/8 of a power of two wide, so an array may be up to
 * 12.5 % longer than the tensor it holds: storage readers go by the storage's element count
 * (`Storage.size`, `readSync(…, size)`), never by the array's length.
 *
 * Only kernels that write every element of their output take from the pool (`takeHostArray`:
 * contents are stale, not zero); everything else keeps `allocHostArray`. Small arrays are not
 * pooled (V8 allocates them cheaply), arrays that do not own their whole buffer are never
 * pooled, and the pool holds at most `MAX_POOL_BYTES`. Pooled bytes are not live tensors, so
 * `memory()` does not count them.
 */
import { allocHostArray, type DType, type HostArray } from '../dtype.js';

/** Arrays shorter than this are allocated fresh (exactly sized) and not recycled. */
const MIN_POOLED_LENGTH = 1024;
/** Most bytes held for reuse; arrays freed beyond it are left to the garbage collector. */
const MAX_POOL_BYTES = 128 * 1024 * 1024;

type Lists = Map<number, HostArray[]>;
const f32 = new Map() as Lists;
const u16 = new Map() as Lists;
const i32 = new Map() as Lists;
const u8 = new Map() as Lists;
let pooledBytes = 0;

function listsFor(dtype: DType): Lists {
  switch (dtype) {
    case 'f32':
      return f32;
    case 'f16':
    case 'bf16':
      return u16;
    case 'i32':
      return i32;
    case 'u8':
    case 'bool':
      return u8;
  }
}

function listsOf(a: HostArray): Lists | null {
  if (a instanceof Float32Array) return f32;
  if (a instanceof Uint16Array) return u16;
  if (a instanceof Int32Array) return i32;
  if (a instanceof Uint8Array) return u8;
  return null;
}

/** The size class of a length ≥ MIN_POOLED_LENGTH: rounded up to 1/8 of its power of two. */
export function sizeClass(n: number): number {
  const step = 2 ** Math.max(0, Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/**
 * A host array of at least `size` elements for `dtype` (exactly `size` below
 * MIN_POOLED_LENGTH, else its size class) whose contents are unspecified (a recycled array or a
 * new zeroed one). The caller must write elements [0, size) and must not rely on the length.
 */
export function takeHostArray<D extends DType>(dtype: D, size: number): ReturnType<typeof allocHostArray<D>>;
export function takeHostArray(dtype: DType, size: number): HostArray {
  if (size < MIN_POOLED_LENGTH) return allocHostArray(dtype, size);
  const n = sizeClass(size);
  const a = listsFor(dtype).get(n)?.pop();
  if (a) {
    pooledBytes -= a.byteLength;
    return a;
  }
  return allocHostArray(dtype, n);
}

/** Gives an array nobody references any more back for reuse (the CPU backend's `free`). */
export function recycleHostArray(a: unknown): void {
  if (!ArrayBuffer.isView(a)) return;
  const arr = a as HostArray;
  if (arr.length < MIN_POOLED_LENGTH || sizeClass(arr.length) !== arr.length) return;
  if (arr.byteOffset !== 0 || arr.byteLength !== arr.buffer.byteLength) return;
  if (!(arr.buffer instanceof ArrayBuffer) || pooledBytes + arr.byteLength > MAX_POOL_BYTES) return;
  const lists = listsOf(arr);
  if (!lists) return;
  let list = lists.get(arr.length);
  if (!list) lists.set(arr.length, (list = []));
  list.push(arr);
  pooledBytes += arr.byteLength;
}

/** Drops every pooled array (tests; or to give memory back after a large workload). */
export function clearHostPool(): void {
  for (const m of [f32, u16, i32, u8]) m.clear();
  pooledBytes = 0;
}

/** Bytes currently held for reuse. */
export function hostPoolBytes(): number {
  return pooledBytes;
}
