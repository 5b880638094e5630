// The shared op conformance suite (@evejs/tensor/testing) on the WebGPU backend. Without an
// adapter every case is reported skipped with the reason (the suite catches the init error).
import { engine, registerCpuBackend } from '@evejs/tensor';
import { describeOpConformance } from '@evejs/tensor/testing';
import { afterAll } from 'vitest';
import { registerWebGpuBackend } from './index.js';

registerCpuBackend();
registerWebGpuBackend();
afterAll(() => engine.removeBackend('webgpu'));

describeOpConformance('webgpu');
