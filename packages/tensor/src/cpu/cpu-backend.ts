/**
 * The CPU backend: storage is a host typed array (f16/bf16 as 16-bit patterns). It is the
 * reference every other backend is checked against and the fallback for ops a backend lacks,
 * so its kernels favour clarity, with the hot ones (matmul) made fast separately.
 */
import type * as NodeOs from 'node:os';
import type { Backend, BackendInfo } from '../backend.js';
import { allocHostArray, type DType, type HostArray } from '../dtype.js';
import { engine } from '../engine.js';
import { recycleHostArray } from './host-pool.js';
import { registerCpuKernels } from './kernels/register.js';
import { nodeBuiltin } from '../node-builtin.js';

const nodeOs = nodeBuiltin<typeof NodeOs>('node:os');

export class CpuBackend implements Backend {
  readonly name = 'cpu';

  allocate(dtype: DType, size: number): HostArray {
    return allocHostArray(dtype, size);
  }
  upload(_dtype: DType, data: HostArray): HostArray {
    return data.slice();
  }
  read(storage: unknown, dtype: DType, size: number): Promise<HostArray> {
    return Promise.resolve(this.readSync(storage, dtype, size));
  }
  readSync(storage: unknown, _dtype: DType, size: number): HostArray {
    return (storage as HostArray).slice(0, size);
  }
  free(storage: unknown): void {
    // The engine's counters already dropped the bytes; the array goes back to the pool for the
    // next kernel output of the same size (host-pool.ts), or to the garbage collector.
    recycleHostArray(storage);
  }
  info(): BackendInfo {
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    // Browsers tell only the thread count.
    const cpus = isNode ? nodeOs.cpus() : [];
    const threads = isNode ? (nodeOs.availableParallelism?.() ?? cpus.length) : (nav?.hardwareConcurrency ?? 1);
    return {
      name: 'cpu',
      device: `${cpus[0]?.model.trim() ?? 'CPU'} (${threads} threads)`,
      details: { simd: typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE) },
    };
  }
}

// A minimal module using a v128 instruction: validates only where WebAssembly SIMD exists.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let registered = false;

/** Registers the CPU backend and its kernels with the engine (idempotent). */
export function registerCpuBackend(): void {
  if (registered) return;
  registered = true;
  registerCpuKernels();
  engine.addBackend(new CpuBackend());
  engine.registerBackend('cpu', () => engine.backend('cpu'));
}
