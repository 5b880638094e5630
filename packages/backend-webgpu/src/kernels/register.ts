// The list of WebGPU kernels: one entry per op the engine has kernels for.
import { registerKernel, type KernelConfig } from '@evejs/tensor/backend';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { elementwiseKernels } from './elementwise.js';

export const webGpuKernels: readonly KernelConfig<never, WebGpuBackend>[] = [...elementwiseKernels];

/** Registers every WebGPU kernel; a second call throws (the registry rejects duplicates). */
export function registerWebGpuKernels(): void {
  for (const k of webGpuKernels) registerKernel(k);
}
