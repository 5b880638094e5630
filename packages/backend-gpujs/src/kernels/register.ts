// The gpu.js kernels (the hot ops); every other op runs through the engine's CPU fallback.
import { registerKernel, type KernelConfig } from '@evejs/tensor/backend';
import type { GpujsBackend } from '../gpujs-backend.js';
import { elementwiseKernels } from './elementwise.js';
import { matmulKernel } from './matmul.js';
import { normKernels } from './norm.js';
import { reduceKernels } from './reduce.js';
import { softmaxKernels } from './softmax.js';

export function registerGpujsKernels(backend: string): void {
  const all = [...elementwiseKernels(backend), matmulKernel(backend), ...reduceKernels(backend), ...softmaxKernels(backend), ...normKernels(backend)];
  for (const k of all as KernelConfig<never, GpujsBackend>[]) registerKernel(k);
}
