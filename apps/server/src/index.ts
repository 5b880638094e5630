/**
 * @evejs/server — an OpenAI-compatible HTTP server for EVE: `POST /v1/chat/completions` with
 * image inputs (data URLs, uploads, opt-in https URLs) and SSE streaming, `GET /v1/models`,
 * image uploads on `/v1/files`, a bounded request queue, `/health` and Prometheus `/metrics`.
 *
 * @example
 * import { engine, registerCpuBackend } from '@evejs/tensor';
 * import { loadEveRuntime, startServer } from '@evejs/server';
 * registerCpuBackend();
 * await engine.setBackend('cpu');
 * const runtime = await loadEveRuntime('checkpoints/EVE-7B-HD-v1.0', { backend: 'cpu', dtype: 'bf16' });
 * const server = await startServer({ runtime, port: 8000 });
 * console.error(`listening on ${server.url}`);
 */
export { createServer, listenEveServer, startServer, type EveServer, type StartedEveServer } from './create-server.js';
export { resolveServerOptions, type ServerOptions, type ResolvedServerOptions } from './server-options.js';
export { EveRuntime, loadEveRuntime, type LoadEveRuntimeOptions, type PreparedImage, type RuntimeGenerateOptions } from '@evejs/model/runtime';
export { ApiError, type ApiErrorBody, type ApiErrorType } from './api-error.js';
export { RequestQueue, QueueFullError } from './request-queue.js';
export { Metrics } from './metrics.js';
