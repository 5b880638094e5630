/**
 * A pool of storage GPUBuffers by size class. Freed tensors hand their buffer back here and the
 * next allocation of the same class reuses it, so a decoding loop creates no buffers after its
 * first step. Size classes are powers of two and their 1.5× midpoints (at most 50 % slack).
 * The pool keeps at most `maxPooledBytes`; beyond that freed buffers are destroyed.
 *
 * Reuse is safe without waiting for the GPU: WebGPU orders every command on the queue, and
 * uploads go through copies recorded in the same command stream (webgpu-backend.ts), so a
 * reused buffer is only written after earlier commands that read it.
 */

/** Rounds a byte size up to its size class (≥ 256 bytes, a multiple of 4). */
export function sizeClass(byteLength: number): number {
  const n = Math.max(256, Math.ceil(byteLength / 4) * 4);
  const p = 2 ** Math.ceil(Math.log2(n));
  const mid = (p / 4) * 3; // 1.5 × the power of two below
  return n <= mid ? mid : p;
}

export interface PoolStats {
  /** Buffers handed out and not yet returned. */
  liveBuffers: number;
  /** Bytes of buffers handed out (size-class bytes). */
  liveBytes: number;
  /** Bytes sitting in the pool, ready for reuse. */
  pooledBytes: number;
  /** Allocations served from the pool. */
  reused: number;
  /** Allocations that created a new GPUBuffer. */
  created: number;
}

export class BufferPool {
  readonly #free = new Map<number, GPUBuffer[]>();
  #stats: PoolStats = { liveBuffers: 0, liveBytes: 0, pooledBytes: 0, reused: 0, created: 0 };

  constructor(
    private readonly create: (byteLength: number) => GPUBuffer,
    private readonly maxPooledBytes: number,
  ) {}

  /** A buffer of at least `byteLength` bytes (its size is the size class). */
  acquire(byteLength: number): GPUBuffer {
    const cls = sizeClass(byteLength);
    const list = this.#free.get(cls);
    let buf = list?.pop();
    if (buf) {
      this.#stats.pooledBytes -= cls;
      this.#stats.reused++;
    } else {
      buf = this.create(cls);
      this.#stats.created++;
    }
    this.#stats.liveBuffers++;
    this.#stats.liveBytes += cls;
    return buf;
  }

  /** Returns a buffer from `acquire` to the pool (or destroys it when the pool is full). */
  release(buf: GPUBuffer): void {
    const cls = buf.size;
    this.#stats.liveBuffers--;
    this.#stats.liveBytes -= cls;
    if (this.#stats.pooledBytes + cls > this.maxPooledBytes) {
      buf.destroy();
      return;
    }
    let list = this.#free.get(cls);
    if (!list) this.#free.set(cls, (list = []));
    list.push(buf);
    this.#stats.pooledBytes += cls;
  }

  stats(): PoolStats {
    return { ...this.#stats };
  }

  /** Destroys every pooled buffer (live ones belong to tensors). */
  clear(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.#stats.pooledBytes = 0;
  }
}
