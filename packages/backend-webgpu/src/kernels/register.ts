// The list of WebGPU kernels: one entry per op the engine has kernels for (the CPU's list).
import { registerKernel, type KernelConfig } from '@evejs/tensor/backend';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { adamwStepKernel } from './adamw-step.js';
import { elementwiseKernels } from './elementwise.js';
import { gatherKernels } from './gather.js';
import { matmulKernel } from './matmul.js';
import { normKernels } from './norm.js';
import { quantizedKernels } from './quantized.js';
import { reduceKernels } from './reduce.js';
import { ropeKernels } from './rope.js';
import { shapeOpKernels } from './shape-ops.js';
import { softmaxKernels } from './softmax.js';
import { writeSliceKernel } from './write-slice.js';

export const webGpuKernels: readonly KernelConfig<never, WebGpuBackend>[] = [
  ...elementwiseKernels,
  matmulKernel as KernelConfig<never, WebGpuBackend>,
  ...reduceKernels,
  ...softmaxKernels,
  ...normKernels,
  ...ropeKernels,
  ...shapeOpKernels,
  ...gatherKernels,
  writeSliceKernel,
  ...quantizedKernels,
  adamwStepKernel,
];

/** Registers every WebGPU kernel; a second call throws (the registry rejects duplicates). */
export function registerWebGpuKernels(): void {
  for (const k of webGpuKernels) registerKernel(k);
}
