/**
 * The routes that turn an EVE server into the demo (Node side): the built page at `/`, and the
 * served checkpoint's files at `/models/<id>/<file>` (listed at `/models/<id>/`) so in-browser
 * mode can download the same weights. Only checkpoint files the page needs are listed and served;
 * nothing else in the folder is reachable. Added to the server's fastify app before it listens,
 * so page and API share one origin (no CORS).
 */
import type * as NodeFs from 'node:fs';
import type { EveServer } from '@evejs/server';
import { nodeBuiltin } from '@evejs/tensor';
import { isNeededFile } from './model-files.js';

const nodeFs = nodeBuiltin<typeof NodeFs>('node:fs');

export interface DemoRoutesOptions {
  /** The built page (vite's outDir). */
  distDir: string;
  /** The id the server reports and the folder it was loaded from. */
  modelId: string;
  modelDir: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};
const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

/** Registers the page and model-file routes on a server that is not yet listening. */
export function registerDemoRoutes(app: EveServer['app'], opts: DemoRoutesOptions): void {
  const send = (path: string, reply: { header(k: string, v: string | number): unknown; send(body: unknown): unknown }) => {
    const { size } = nodeFs.statSync(path);
    reply.header('content-type', typeOf(path));
    reply.header('content-length', size);
    reply.header('cache-control', 'no-cache');
    return reply.send(nodeFs.createReadStream(path));
  };
  const listModelFiles = () => nodeFs.readdirSync(opts.modelDir).filter(isNeededFile).sort();

  app.get('/', async (_request, reply) => send(`${opts.distDir}/index.html`, reply));
  for (const folder of ['assets', 'examples']) {
    app.get<{ Params: { file: string } }>(`/${folder}/:file`, async (request, reply) => {
      // Only names from the folder's listing: no path from the request reaches the file system.
      const names = nodeFs.existsSync(`${opts.distDir}/${folder}`) ? nodeFs.readdirSync(`${opts.distDir}/${folder}`) : [];
      if (!names.includes(request.params.file)) return reply.code(404).send({ error: { message: `no file ${folder}/${request.params.file}` } });
      return send(`${opts.distDir}/${folder}/${request.params.file}`, reply);
    });
  }
  app.get<{ Params: { id: string } }>('/models/:id/', async (request, reply) => {
    if (request.params.id !== opts.modelId) return reply.code(404).send({ error: { message: `no model ${request.params.id}` } });
    return { id: opts.modelId, files: listModelFiles() };
  });
  app.get<{ Params: { id: string; file: string } }>('/models/:id/:file', async (request, reply) => {
    const { id, file } = request.params;
    // Only names from the listing: no path from the request reaches the file system.
    if (id !== opts.modelId || !listModelFiles().includes(file)) return reply.code(404).send({ error: { message: `no file ${id}/${file}` } });
    return send(`${opts.modelDir}/${file}`, reply);
  });
}
