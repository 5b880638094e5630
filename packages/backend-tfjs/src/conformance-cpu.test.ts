// The shared op conformance suite on tfjs's pure-JS cpu backend (the last resort where wasm cannot start).
import { registerCpuBackend } from '@evejs/tensor';
import { describeOpConformance } from '@evejs/tensor/testing';
import { registerTfjsBackend } from './register.js';

registerCpuBackend();
registerTfjsBackend({ name: 'tfjs', flavor: 'cpu' });
describeOpConformance('tfjs', { runFallbacks: true });
