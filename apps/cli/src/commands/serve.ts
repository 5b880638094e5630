// `eve serve`: the OpenAI-compatible HTTP server (@evejs/server) around one loaded checkpoint.
// Loads the model, listens (loopback by default), logs JSON lines to stderr, and shuts down
// cleanly on SIGINT/SIGTERM: running generations are cancelled, then the model is freed.
import type { Command } from 'commander';
import { EveError } from '@evejs/tensor';
import { loadEveRuntime, startServer } from '@evejs/server';
import { selectBackend } from '../backends.js';
import { dtypeOption } from './forward.js';

interface ServeOptions {
  model: string;
  tokenizer?: string;
  modelId?: string;
  backend?: string;
  dtype?: string;
  convMode: string;
  host: string;
  port: string;
  concurrency: string;
  queueLimit: string;
  timeoutMs: string;
  maxBodyBytes: string;
  maxImagePixels: string;
  maxImages: string;
  maxTokens: string;
  temperature: string;
  apiKey?: string;
  cors?: string[];
  allowRemoteImages?: boolean;
  logLevel: string;
}

function wholeNumber(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new EveError(`--${name} must be a whole number ≥ ${min}, got ${value}`);
  return n;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve EVE over HTTP with an OpenAI-compatible /v1/chat/completions (images, SSE streaming)')
    .requiredOption('--model <dir>', 'EVE checkpoint folder')
    .option('--tokenizer <dir>', 'tokenizer folder (default: the checkpoint folder)')
    .option('--model-id <id>', 'model name clients send (default: the checkpoint folder name)')
    .option('--backend <name>', 'compute backend (default: EVE_BACKEND or cpu)')
    .option('--dtype <dtype>', 'weight storage: f32 (default), f16, bf16, or block-quantised q8_0 / q4_0 (also q8, q4: about 1/4 and 1/7 of f32; a quantised copy from `eve convert --quantize` loads as stored)')
    .option('--conv-mode <name>', 'conversation template', 'vicuna_v1')
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', '8000')
    .option('--concurrency <n>', 'requests generating at once', '1')
    .option('--queue-limit <n>', 'requests allowed to wait; more get 429', '16')
    .option('--timeout-ms <ms>', 'per-request limit from arrival (0: none); 504 or an error event', '300000')
    .option('--max-body-bytes <n>', 'largest request body or upload', String(20 * 2 ** 20))
    .option('--max-image-pixels <n>', 'largest image (width × height), checked before decoding', '40000000')
    .option('--max-images <n>', 'images per conversation (EVE takes one)', '1')
    .option('--max-tokens <n>', 'completion tokens when a request sets no max_tokens', '512')
    .option('--temperature <t>', 'temperature when a request sets none (0 = greedy)', '0')
    .option('--api-key <key>', 'require "Authorization: Bearer <key>" (default: EVE_API_KEY, else none)')
    .option('--cors <origin>', 'allow this browser origin (repeatable, comma-separated, or *)', collect)
    .option('--allow-remote-images', 'fetch https: image URLs (default: data URLs and uploads only)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .action(async (opts: ServeOptions) => {
      const temperature = Number(opts.temperature);
      if (!(temperature >= 0 && temperature <= 2)) throw new EveError(`--temperature must be in [0, 2], got ${opts.temperature}`);
      const settings = {
        host: opts.host,
        port: wholeNumber('port', opts.port, 0),
        concurrency: wholeNumber('concurrency', opts.concurrency, 1),
        queueLimit: wholeNumber('queue-limit', opts.queueLimit, 0),
        timeoutMs: wholeNumber('timeout-ms', opts.timeoutMs, 0),
        maxBodyBytes: wholeNumber('max-body-bytes', opts.maxBodyBytes, 1),
        maxImagePixels: wholeNumber('max-image-pixels', opts.maxImagePixels, 1),
        maxImages: wholeNumber('max-images', opts.maxImages, 0),
        defaultMaxTokens: wholeNumber('max-tokens', opts.maxTokens, 1),
        defaultTemperature: temperature,
        corsOrigins: opts.cors ?? [],
        allowRemoteImages: opts.allowRemoteImages === true,
        logLevel: opts.logLevel,
      };
      const apiKey = opts.apiKey ?? process.env['EVE_API_KEY'];
      const backend = await selectBackend(opts.backend);
      const log = (msg: string) => process.stderr.write(`eve serve: ${msg}\n`);
      const t0 = performance.now();
      const runtime = await loadEveRuntime(opts.model, {
        backend,
        ...dtypeOption(opts.dtype),
        convMode: opts.convMode,
        ...(opts.tokenizer ? { tokenizerDir: opts.tokenizer } : {}),
        ...(opts.modelId ? { modelId: opts.modelId } : {}),
        log,
      });
      log(`loaded ${runtime.modelId} on ${backend} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      try {
        const server = await startServer({ runtime, ...settings, ...(apiKey ? { apiKey } : {}) });
        log(`listening on ${server.url} (POST /v1/chat/completions, GET /v1/models, /health, /metrics)${apiKey ? '; API key required' : ''}`);
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            log(`${signal}: shutting down`);
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
            void server.close().then(resolve, resolve);
          };
          const onInt = () => stop('SIGINT');
          const onTerm = () => stop('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
        });
      } finally {
        runtime.dispose();
      }
    });
}
