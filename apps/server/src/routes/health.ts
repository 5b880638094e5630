/** `GET /health` (liveness and queue state, never behind auth) and `GET /metrics` (Prometheus text). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/health', async () => ({
    status: 'ok',
    model: ctx.runtime.modelId,
    backend: ctx.runtime.backend,
    context_length: ctx.runtime.contextLength,
    queue: { depth: ctx.queue.depth, in_flight: ctx.queue.running, concurrency: ctx.queue.concurrency, limit: ctx.queue.limit },
    uptime_s: Math.round(Date.now() / 1000 - ctx.startedAt),
  }));
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.render()));
}
