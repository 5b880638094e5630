/**
 * Registering the backend with the engine: its kernels now, its device lazily (the factory runs
 * on the first `setBackend('webgpu')` / `initBackend('webgpu')`).
 */
import { engine } from '@evejs/tensor';
import { createWebGpuBackend } from './create-webgpu-backend.js';
import { registerWebGpuKernels } from './kernels/register.js';
import type { WebGpuBackendOptions } from './webgpu-backend.js';

let registered = false;

/**
 * Registers the WebGPU kernels and the 'webgpu' backend factory (idempotent).
 * @example registerWebGpuBackend(); await setBackend('webgpu');
 */
export function registerWebGpuBackend(opts: WebGpuBackendOptions = {}): void {
  if (registered) return;
  registerWebGpuKernels();
  registered = true;
  engine.registerBackend('webgpu', () => createWebGpuBackend(opts));
}
