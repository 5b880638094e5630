/**
 * @evejs/backend-gpujs — gpu.js kernels for @evejs/tensor's hot ops (matmul, elementwise, sum/max,
 * softmax, norms): WebGL2/WebGL in browsers, headless-gl in Node where it is built, else gpu.js's
 * non-GPU modes. Every other op runs on the CPU kernels through the engine's fallback.
 *
 * @example
 * import { registerCpuBackend, setBackend } from '@evejs/tensor';
 * import { registerGpujsBackend } from '@evejs/backend-gpujs';
 * registerCpuBackend();
 * registerGpujsBackend();
 * await setBackend('gpujs');
 */
export { registerGpujsBackend, probeGpujs, type RegisterGpujsOptions, type GpujsProbe } from './register.js';
export { GpujsBackend, type GpujsMode } from './gpujs-backend.js';
