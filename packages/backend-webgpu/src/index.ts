/**
 * @evejs/backend-webgpu — runs evejs tensors on WebGPU: navigator.gpu in browsers, Dawn (the
 * `webgpu` package) in Node. Every op the engine has kernels for has a WGSL kernel here, forward
 * only: gradients are compositions of ops, so training runs on the GPU too.
 *
 * @example
 * import { registerCpuBackend, setBackend, tensor } from '@evejs/tensor';
 * import { registerWebGpuBackend } from '@evejs/backend-webgpu';
 * registerCpuBackend();
 * registerWebGpuBackend();
 * await setBackend('webgpu');
 */
export { createWebGpuBackend, probeWebGpu, type WebGpuProbe } from './create-webgpu-backend.js';
export { registerWebGpuBackend } from './register.js';
export { WebGpuBackend, GpuStorage, type WebGpuBackendOptions } from './webgpu-backend.js';
export type { PoolStats } from './buffer-pool.js';
