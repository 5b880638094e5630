/**
 * @evejs/tensor/backend — what a backend package needs: the Backend interface, kernel
 * registration, the views kernels receive, op attribute types and shape helpers.
 */
export type { Backend, BackendInfo } from './backend.js';
export { registerKernel, getKernel, kernelsFor, unregisterKernels, type KernelConfig, type KernelFn, type KernelArgs, type TensorView, type OutputSpec } from './kernel-registry.js';
export { engine } from './engine.js';
export * from './dtype.js';
export * from './shape.js';
export type { MatmulAttrs } from './ops/matmul.js';
export { matmulDims, matmulBatchStrides } from './ops/matmul.js';
export type { ReduceAttrs, ArgmaxAttrs } from './ops/reduce.js';
export type { AxisAttrs } from './ops/softmax.js';
export type { NormAttrs } from './ops/norm.js';
export type { ConcatAttrs, PadAttrs } from './ops/shape-ops.js';
export type { ScatterAddAttrs, OneHotAttrs } from './ops/gather.js';
export type { QuantAttrs } from './ops/quantized.js';
export { QUANT_BLOCK, valuesPerWord, type QuantFormat } from './quantize.js';
export type { WriteSliceAttrs } from './ops/write-slice.js';
export type { AdamWStepAttrs } from './ops/adamw-step.js';
export type { CastAttrs, PowAttrs, UnaryOpName, BinaryOpName, CompareOpName } from './ops/elementwise.js';
export { erf } from './cpu/math.js';
export { stridedOffsets, isDenseAs } from './cpu/strided.js';
export { planMatmul, matmulNaive, type MatmulPlan } from './cpu/kernels/matmul.js';
