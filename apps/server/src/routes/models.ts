/** `GET /v1/models` and `GET /v1/models/:id`: the one model this server serves, as OpenAI lists models. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../server-context.js';

export function registerModelsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const model = () => ({ id: ctx.runtime.modelId, object: 'model', created: ctx.startedAt, owned_by: 'evejs' });
  app.get('/v1/models', async () => ({ object: 'list', data: [model()] }));
  app.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => {
    if (request.params.id !== ctx.runtime.modelId) throw new ApiError(404, `The model '${request.params.id}' does not exist`, 'invalid_request_error', 'model', 'model_not_found');
    return model();
  });
}
