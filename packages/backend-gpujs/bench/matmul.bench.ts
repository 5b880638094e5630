/**
 * matmul 256/512/1024 and one small transformer block on the gpujs backend against the evejs CPU
 * backend in the same run, printed as GFLOP/s and a speed ratio. Not a test: nothing is asserted.
 *   node --conditions=@evejs/source --import tsx packages/backend-gpujs/bench/matmul.bench.ts
 */
import { engine, registerCpuBackend } from '@evejs/tensor';
import { benchBackendAgainstCpu } from '@evejs/tensor/testing';
import { registerGpujsBackend } from '../src/index.js';

registerCpuBackend();
registerGpujsBackend();
const backend = await engine.initBackend('gpujs');
console.log(`gpujs: ${backend.info().device} (${String(backend.info().details?.why)})`);
benchBackendAgainstCpu('gpujs');
