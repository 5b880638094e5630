/**
 * @evejs/tensor/testing — the shared numerics test kit: `expectClose` with per-dtype tolerances,
 * seeded random inputs, float64 reference ops, finite-difference gradient checks, leak checks,
 * and the op conformance suite every backend runs (`describeOpConformance`).
 * It imports vitest, so it belongs in test code only.
 *
 * @example
 * import { describeOpConformance } from '@evejs/tensor/testing';
 * registerWebGpuBackend();
 * describeOpConformance('webgpu');
 */
export { expectClose, compareStats, type CloseOptions, type CompareStats } from './expect-close.js';
export { DTYPE_TOLERANCES, GRAD_TOLERANCE, toleranceFor, type Tolerance } from './tolerances.js';
export { Rng, randomArray, randomInts, roundTo, type RandomArrayOptions } from './random-array.js';
export { type Nd, nd, ravel, unravel, readBroadcast } from './nd.js';
export { as, toTensor, toNd, type TestInput } from './from-nd.js';
export * as reference from './reference.js';
export { gradCheck, numericGrad, type GradCheckOptions, type GradCheckReport } from './grad-check.js';
export { expectNoLeaks } from './leaks.js';
export { CONFORMANCE_CASES, type ConformanceCase } from './conformance-cases.js';
export { describeOpConformance, checkForward, type ConformanceOptions } from './conformance.js';
export { benchBackendAgainstCpu } from './backend-bench.js';
