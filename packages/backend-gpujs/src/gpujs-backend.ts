/**
 * The gpu.js backend. Storage is a host typed array laid out exactly like the CPU backend's
 * (f16/bf16 as bit patterns), and each gpu.js kernel uploads its inputs and reads its result
 * back. That keeps `readSync` trivial (so the engine's CPU fallback works for every op without a
 * kernel here) and lets kernels hand dtypes and cases they do not accelerate straight to the CPU
 * kernel on the same arrays. The price: one upload/readback per kernel, no data kept on the GPU
 * between ops (gpu.js pipeline mode would, at the cost of texture bookkeeping this does not do).
 */
import type { Backend, BackendInfo, DType, HostArray } from '@evejs/tensor/backend';
import { allocHostArray } from '@evejs/tensor/backend';
import type { GPU, IKernelRunShortcut } from 'gpu.js';

/** The mode gpu.js runs kernels in: 'webgl2', 'webgl', 'headlessgl', 'webgpu', 'webasm' or 'cpu'. */
export type GpujsMode = string;

export class GpujsBackend implements Backend {
  readonly #kernels = new Map<string, IKernelRunShortcut>();

  constructor(
    readonly name: string,
    readonly gpu: GPU,
    readonly mode: GpujsMode,
    readonly reason: string,
  ) {}

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
  free(): void {
    // Host arrays are garbage-collected.
  }
  info(): BackendInfo {
    return { name: this.name, device: `gpu.js (${this.mode})`, details: { mode: this.mode, why: this.reason } };
  }
  dispose(): void {
    this.gpu.destroy();
  }

  /**
   * A gpu.js kernel compiled once per (name) with dynamic output and argument sizes.
   * `loopMaxIterations` bounds the inner loops GLSL needs a constant for (matmul's K, a row's length).
   */
  kernel(name: string, fn: (...args: never[]) => number): IKernelRunShortcut {
    let k = this.#kernels.get(name);
    if (!k) {
      // loopMaxIterations exists in gpu.js but is missing from its typings.
      const settings = {
        output: [1],
        dynamicOutput: true,
        dynamicArguments: true,
        loopMaxIterations: 1 << 20,
        tactic: 'precision',
        precision: 'single',
      } as Parameters<GPU['createKernel']>[1];
      k = this.gpu.createKernel(fn as never, settings);
      this.#kernels.set(name, k);
    }
    return k;
  }
}
