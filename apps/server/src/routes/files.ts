/**
 * Image uploads, OpenAI's Files API shape: `POST /v1/files` (multipart/form-data with a `file`
 * field and an optional `purpose`, as `client.files.create` sends it), `GET /v1/files`,
 * `GET /v1/files/:id`, `DELETE /v1/files/:id`. Files are checked to be decodable images within
 * the pixel limit at upload, kept in memory only, and used in chat messages by `file_id`.
 */
import type { FastifyInstance } from 'fastify';
import { EveError } from '@evejs/tensor';
import { decodeImage } from '@evejs/image';
import { ApiError, badRequest } from '../api-error.js';
import type { ServerContext } from '../server-context.js';

export function registerFilesRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/files', async (request) => {
    if (!request.isMultipart()) throw new ApiError(415, 'upload files as multipart/form-data with a "file" field', 'invalid_request_error', null, 'unsupported_media_type');
    let data: Buffer | null = null;
    let filename = 'upload';
    let purpose = 'vision';
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || data !== null) {
          part.file.resume();
          throw badRequest('send exactly one file, in the "file" field', 'file', 'invalid_value');
        }
        data = await part.toBuffer();
        filename = part.filename || filename;
      } else if (part.fieldname === 'purpose') {
        purpose = String(part.value);
      }
    }
    if (!data) throw badRequest('no file in the "file" field', 'file', 'missing_file');
    try {
      // Validate now, so a bad upload fails here rather than in a later chat request.
      await decodeImage(data, { name: filename, maxPixels: ctx.options.maxImagePixels });
    } catch (e) {
      if (e instanceof EveError) throw badRequest(e.message, 'file', /over the limit/.test(e.message) ? 'image_too_large' : 'invalid_image');
      throw e;
    }
    return ctx.files.add(data, filename, purpose);
  });
  app.get('/v1/files', async () => ({ object: 'list', data: ctx.files.list() }));
  app.get<{ Params: { id: string } }>('/v1/files/:id', async (request) => {
    const f = ctx.files.get(request.params.id);
    if (!f) throw new ApiError(404, `No such file: ${request.params.id}`, 'invalid_request_error', 'file_id', 'file_not_found');
    return f.meta;
  });
  app.delete<{ Params: { id: string } }>('/v1/files/:id', async (request) => {
    const deleted = ctx.files.delete(request.params.id);
    if (!deleted) throw new ApiError(404, `No such file: ${request.params.id}`, 'invalid_request_error', 'file_id', 'file_not_found');
    return { id: request.params.id, object: 'file', deleted: true };
  });
}
