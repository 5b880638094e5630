// The shared op conformance suite on gpu.js in Node. Here gpu.js runs its non-GPU mode
// (headless-gl is not built: see README), so this checks the kernels' logic and the fallback
// wiring; the WebGL2 path is tested in headless Chromium (webgl.test.ts).
import { registerCpuBackend } from '@evejs/tensor';
import { describeOpConformance } from '@evejs/tensor/testing';
import { registerGpujsBackend } from './register.js';

registerCpuBackend();
registerGpujsBackend();
describeOpConformance('gpujs', { runFallbacks: true });
