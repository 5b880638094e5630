// Every tfjs kernel, for one evejs backend name.
import { registerKernel, type KernelConfig } from '@evejs/tensor/backend';
import type { TfjsBackend } from '../tfjs-backend.js';
import { elementwiseKernels } from './elementwise.js';
import { gatherKernels } from './gather.js';
import { matmulKernel } from './matmul.js';
import { normKernels } from './norm.js';
import { reduceKernels } from './reduce.js';
import { ropeKernel } from './rope.js';
import { shapeOpKernels } from './shape-ops.js';
import { softmaxKernels } from './softmax.js';

export function tfjsKernels(backend: string): KernelConfig<never, TfjsBackend>[] {
  return [
    ...elementwiseKernels(backend),
    matmulKernel(backend),
    ...reduceKernels(backend),
    ...softmaxKernels(backend),
    ...normKernels(backend),
    ropeKernel(backend),
    ...shapeOpKernels(backend),
    ...gatherKernels(backend),
  ] as KernelConfig<never, TfjsBackend>[];
}

export function registerTfjsKernels(backend: string): void {
  for (const k of tfjsKernels(backend)) registerKernel(k);
}
