/**
 * @evejs/backend-tfjs — runs @evejs/tensor ops on TensorFlow.js: libtensorflow through
 * tfjs-node-gpu / tfjs-node when the user installed one, otherwise tfjs's wasm (XNNPACK) or cpu
 * backend. Ops without a tfjs kernel here run on the evejs CPU backend via the engine's fallback.
 *
 * @example
 * import { setBackend } from '@evejs/tensor';
 * import { registerTfjsBackend } from '@evejs/backend-tfjs';
 * registerTfjsBackend();
 * await setBackend('tfjs');
 */
export { registerTfjsBackend, probeTfjs, type RegisterTfjsOptions, type TfjsProbe } from './register.js';
export { TfjsBackend, tfDType, type TfDType } from './tfjs-backend.js';
export { loadTfjs, type TfjsFlavor, type TfjsLoadOptions, type LoadedTfjs, type Tf } from './tfjs-loader.js';
