/**
 * Everything the server can be configured with, and the defaults. The CLI's `eve serve` flags
 * map one to one onto these fields (see README.md). Defaults lean safe: loopback only, no auth
 * needed because nothing is exposed, CORS off, remote image fetching off.
 */
import type { EveRuntime } from '@evejs/model/runtime';

export interface ServerOptions {
  /** The loaded model (see `loadEveRuntime`). */
  runtime: EveRuntime;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 8000; 0 picks a free one). */
  port?: number;
  /** Requests generating at once (default 1: one model instance). */
  concurrency?: number;
  /** Requests allowed to wait for a slot; more get 429 (default 16). */
  queueLimit?: number;
  /** Per-request limit from arrival to the last token, in ms; 0 disables (default 300 000). */
  timeoutMs?: number;
  /** Largest request body in bytes, JSON or upload (default 20 MiB). */
  maxBodyBytes?: number;
  /** Largest image, in pixels, checked from the header before decoding (default 40 MP). */
  maxImagePixels?: number;
  /** Images per conversation (default 1: EVE takes one). */
  maxImages?: number;
  /** Completion tokens when the request names no max_tokens (default 512, the demo's default). */
  defaultMaxTokens?: number;
  /** Temperature when the request names none (default 0: greedy, as EVE's evaluation runners). */
  defaultTemperature?: number;
  /** Bearer token required on /v1/* and /metrics (default none). */
  apiKey?: string;
  /** Origins allowed by CORS; `*` for any (default none: CORS off). */
  corsOrigins?: readonly string[];
  /** Fetch `https:` image URLs (default false: only data URLs and uploads). */
  allowRemoteImages?: boolean;
  /** Timeout of one remote image fetch in ms (default 10 000). */
  remoteImageTimeoutMs?: number;
  /** Uploaded files kept in memory (default 64), and their total bytes (default 256 MiB). */
  maxFiles?: number;
  maxFileStoreBytes?: number;
  /** pino log level: fatal, error, warn, info (default), debug, trace, silent. */
  logLevel?: string;
  /** Where logs go (default process.stderr). */
  logStream?: NodeJS.WritableStream;
  /** fetch used for remote images (default the global fetch; for tests). */
  fetch?: typeof fetch;
}

export type ResolvedServerOptions = Required<Omit<ServerOptions, 'apiKey'>> & { apiKey: string | undefined };

/** Fills in defaults and checks ranges (throws RangeError naming the option). */
export function resolveServerOptions(opts: ServerOptions): ResolvedServerOptions {
  const r = {
    runtime: opts.runtime,
    host: '127.0.0.1',
    port: 8000,
    concurrency: 1,
    queueLimit: 16,
    timeoutMs: 300_000,
    maxBodyBytes: 20 * 2 ** 20,
    maxImagePixels: 40_000_000,
    maxImages: 1,
    defaultMaxTokens: 512,
    defaultTemperature: 0,
    corsOrigins: [],
    allowRemoteImages: false,
    remoteImageTimeoutMs: 10_000,
    maxFiles: 64,
    maxFileStoreBytes: 256 * 2 ** 20,
    logLevel: 'info',
    logStream: process.stderr,
    fetch: globalThis.fetch,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
    apiKey: opts.apiKey || undefined,
  } as unknown as ResolvedServerOptions;
  const whole = (name: keyof ResolvedServerOptions, min: number) => {
    const v = r[name] as number;
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be a whole number ≥ ${min}, got ${v}`);
  };
  whole('port', 0);
  whole('concurrency', 1);
  whole('queueLimit', 0);
  whole('timeoutMs', 0);
  whole('maxBodyBytes', 1);
  whole('maxImagePixels', 1);
  whole('maxImages', 0);
  whole('defaultMaxTokens', 1);
  whole('remoteImageTimeoutMs', 1);
  whole('maxFiles', 1);
  whole('maxFileStoreBytes', 1);
  if (!(r.defaultTemperature >= 0 && r.defaultTemperature <= 2)) throw new RangeError(`defaultTemperature must be in [0, 2], got ${r.defaultTemperature}`);
  return r;
}
