// The shared op conformance suite on tfjs's wasm backend (what CI runs: no libtensorflow here).
import { registerCpuBackend } from '@evejs/tensor';
import { describeOpConformance } from '@evejs/tensor/testing';
import { registerTfjsBackend } from './register.js';

registerCpuBackend();
registerTfjsBackend({ name: 'tfjs', flavor: 'wasm' });
describeOpConformance('tfjs', { runFallbacks: true });
