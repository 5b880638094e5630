/**
 * Registering the gpu.js backend: kernels now, the gpu.js instance lazily. `probeGpujs` says which
 * mode gpu.js would run in and why it is not a GPU mode (in Node: headless-gl is not built).
 */
import { engine } from '@evejs/tensor/backend';
import { GpujsBackend, type GpujsMode } from './gpujs-backend.js';
import { registerGpujsKernels } from './kernels/register.js';

export interface RegisterGpujsOptions {
  /** The evejs backend name (default 'gpujs'). */
  name?: string;
  /** Force a gpu.js mode ('gpu', 'webgl2', 'headlessgl', 'cpu', …); default: gpu.js picks the best. */
  mode?: string;
}

export interface GpujsProbe {
  isAvailable: boolean;
  mode?: GpujsMode;
  /** Which GPU modes are missing and why. */
  reason: string;
}

async function createGpu(requested?: string) {
  const gpujs = await import('gpu.js');
  const { GPU } = gpujs;
  const missing: string[] = [];
  if (!GPU.isWebGL2Supported) missing.push('no WebGL2');
  if (!GPU.isHeadlessGLSupported) missing.push('headless-gl (the `gl` package) not built or not loadable');
  const gpu = new GPU(requested ? { mode: requested as never } : {});
  // gpu.mode says 'gpu' for every GL kernel; the chosen kernel class tells which one.
  const kernel = (gpu as unknown as { Kernel?: { mode?: string } }).Kernel;
  const mode =
    kernel === gpujs.WebGL2Kernel ? 'webgl2' : kernel === gpujs.WebGLKernel ? 'webgl' : kernel === gpujs.HeadlessGLKernel ? 'headlessgl' : String(kernel?.mode ?? gpu.mode);
  return { gpu, mode, reason: missing.join('; ') || 'GPU mode available' };
}

const registered = new Set<string>();

/**
 * Registers the 'gpujs' backend (idempotent per name). Call registerCpuBackend() too: ops without a
 * gpu.js kernel, and i32 cases, run on the CPU kernels.
 * @example registerCpuBackend(); registerGpujsBackend(); await setBackend('gpujs');
 */
export function registerGpujsBackend(opts: RegisterGpujsOptions = {}): void {
  const name = opts.name ?? 'gpujs';
  if (registered.has(name)) return;
  registered.add(name);
  registerGpujsKernels(name);
  engine.registerBackend(name, async () => {
    const { gpu, mode, reason } = await createGpu(opts.mode);
    return new GpujsBackend(name, gpu, mode, reason);
  });
}

/** Which gpu.js mode this environment gives, without registering anything. */
export async function probeGpujs(): Promise<GpujsProbe> {
  try {
    const { gpu, mode, reason } = await createGpu();
    gpu.destroy();
    return { isAvailable: true, mode, reason };
  } catch (e) {
    return { isAvailable: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
