// The list of CPU kernels, registered once by registerCpuBackend().
import { registerKernel } from '../../kernel-registry.js';
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

export function registerCpuKernels(): void {
  for (const k of [
    ...elementwiseKernels,
    matmulKernel,
    ...reduceKernels,
    ...softmaxKernels,
    ...normKernels,
    ...ropeKernels,
    ...shapeOpKernels,
    ...gatherKernels,
    writeSliceKernel,
    ...quantizedKernels,
    adamwStepKernel,
  ]) {
    registerKernel(k as never);
  }
}
