/**
 * matmul 256/512/1024 and one small transformer block on the tfjs backend against the evejs CPU
 * backend in the same run, printed as GFLOP/s and a speed ratio. Not a test: nothing is asserted.
 *   node --conditions=@evejs/source --import tsx packages/backend-tfjs/bench/matmul.bench.ts
 */
import { engine, registerCpuBackend } from '@evejs/tensor';
import { benchBackendAgainstCpu } from '@evejs/tensor/testing';
import { registerTfjsBackend } from '../src/index.js';

registerCpuBackend();
registerTfjsBackend();
const backend = await engine.initBackend('tfjs');
console.log(`tfjs: ${backend.info().device} (${String(backend.info().details?.why)})`);
benchBackendAgainstCpu('tfjs');
