/**
 * The HTTP server: a fastify instance with the OpenAI-style routes, bearer-token auth, opt-in
 * CORS, request metrics, and one error handler that answers every failure in OpenAI's error
 * shape. `createServer` builds it around an already loaded model (the CLI and the demo share
 * it); `startServer` also listens. Logs are pino JSON lines on stderr.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { ApiError, toApiError } from './api-error.js';
import { FileStore } from './file-store.js';
import { Metrics } from './metrics.js';
import { RequestQueue } from './request-queue.js';
import { registerChatCompletionsRoute } from './routes/chat-completions.js';
import { registerFilesRoutes } from './routes/files.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerModelsRoutes } from './routes/models.js';
import type { ServerContext } from './server-context.js';
import { resolveServerOptions, type ServerOptions } from './server-options.js';

/** A built (not yet listening) server. */
export interface EveServer {
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  /** Stops accepting requests, cancels running generations and closes the server (the model stays loaded). */
  close(): Promise<void>;
}

/** A listening server. */
export interface StartedEveServer extends EveServer {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly port: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function authHook(apiKey: string) {
  const expected = digest(apiKey);
  return async (request: FastifyRequest) => {
    const url = request.url;
    if (!(url.startsWith('/v1/') || url === '/v1' || url.startsWith('/metrics'))) return;
    if (request.method === 'OPTIONS') return; // CORS preflights carry no credentials
    const header = request.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    // Compare digests so neither the key's content nor its length leaks through timing.
    if (!m || !timingSafeEqual(digest(m[1]!.trim()), expected)) {
      throw new ApiError(401, m ? 'Incorrect API key provided.' : 'Missing API key: send "Authorization: Bearer <key>".', 'invalid_request_error', null, 'invalid_api_key');
    }
  };
}

function corsHook(origins: readonly string[]) {
  const any = origins.includes('*');
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (!origin || !(any || origins.includes(origin))) return;
    reply.header('access-control-allow-origin', any ? '*' : origin);
    if (!any) reply.header('vary', 'Origin');
    reply.header('access-control-expose-headers', 'retry-after');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS')
        .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'authorization, content-type')
        .header('access-control-max-age', '600');
      return reply.send();
    }
  };
}

/** Builds the server around a loaded model; call `app.listen` or use {@link startServer}. */
export async function createServer(opts: ServerOptions): Promise<EveServer> {
  const options = resolveServerOptions(opts);
  const queue = new RequestQueue(options.concurrency, options.queueLimit);
  const ctx: ServerContext = {
    runtime: options.runtime,
    options,
    queue,
    metrics: new Metrics(queue),
    files: new FileStore(options.maxFiles, options.maxFileStoreBytes),
    startedAt: Math.floor(Date.now() / 1000),
    shutdown: new AbortController(),
  };
  // Every request in flight listens for shutdown: no listener limit on that signal.
  setMaxListeners(0, ctx.shutdown.signal);
  const app = Fastify({
    logger: { level: options.logLevel, stream: options.logStream },
    bodyLimit: options.maxBodyBytes,
    forceCloseConnections: true,
  });
  // Only JSON (and multipart uploads): a text/plain body is a 415, not a string to misread.
  app.removeContentTypeParser('text/plain');
  await app.register(multipart, { limits: { fileSize: options.maxBodyBytes, files: 1, fields: 8, fieldSize: 1024 }, throwFileSizeLimit: true });

  app.addHook('onRequest', async (request, reply) => {
    reply.raw.once('close', () => {
      // 499 (client closed request, as nginx counts it) when the response never finished.
      ctx.metrics.recordRequest(request.routeOptions.url ?? 'unmatched', reply.raw.writableFinished ? reply.raw.statusCode : 499);
    });
  });
  if (options.corsOrigins.length > 0) {
    app.addHook('onRequest', corsHook(options.corsOrigins));
    app.options('/*', async (_request, reply) => reply.code(204).send());
  }
  if (options.apiKey) app.addHook('onRequest', authHook(options.apiKey));

  app.setErrorHandler((err, request, reply) => {
    const api = toApiError(err);
    if (api.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ status: api.status, code: api.code, message: api.message }, 'request rejected');
    void reply.code(api.status).headers(api.headers).send(api.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const api = new ApiError(404, `no route for ${request.method} ${request.url.split('?')[0]}`, 'not_found_error', null, 'not_found');
    void reply.code(404).send(api.toBody());
  });

  registerHealthRoutes(app, ctx);
  registerModelsRoutes(app, ctx);
  registerFilesRoutes(app, ctx);
  registerChatCompletionsRoute(app, ctx);

  return {
    app,
    context: ctx,
    async close() {
      ctx.shutdown.abort();
      await app.close();
    },
  };
}

/** Builds the server and listens on `host:port` (port 0 picks a free one). */
export async function startServer(opts: ServerOptions): Promise<StartedEveServer> {
  return listenEveServer(await createServer(opts));
}

/**
 * Starts listening on the server's configured `host:port` (after callers added their own routes,
 * as the demo does) and reports the URL and the port actually bound.
 */
export async function listenEveServer(server: EveServer): Promise<StartedEveServer> {
  const { host, port } = server.context.options;
  await server.app.listen({ host, port });
  const address = server.app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return { ...server, url: `http://${shownHost}:${actualPort}`, port: actualPort };
}
