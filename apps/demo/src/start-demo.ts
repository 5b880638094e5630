/**
 * `eve demo` in one call (Node side): build the page if needed, load the model on the CPU, start
 * the EVE server with the demo routes on one port, and return its URL. The CLI command and the
 * browser tests both start the demo through here.
 */
import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';
import type * as NodeUrl from 'node:url';
import { createServer, listenEveServer, loadEveRuntime, type StartedEveServer } from '@evejs/server';
import { engine, nodeBuiltin, registerCpuBackend } from '@evejs/tensor';
import { registerDemoRoutes } from './demo-routes.js';

const nodeFs = nodeBuiltin<typeof NodeFs>('node:fs');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');
const nodeUrl = nodeBuiltin<typeof NodeUrl>('node:url');

/** apps/demo (holds index.html, vite.config.ts and, once built, dist/). */
export const DEMO_ROOT = nodeUrl.fileURLToPath(new URL('..', import.meta.url));
/** Where the built page lives. */
export const DEMO_DIST = nodePath.join(DEMO_ROOT, 'dist');

export interface StartDemoOptions {
  /** Checkpoint folder to serve. */
  modelDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Backend name already registered (default: cpu, registered here). */
  backend?: string;
  /** Rebuild the page even if it was built before. */
  rebuild?: boolean;
  /** Where the built page is (default DEMO_DIST; tests build their own copy). */
  distDir?: string;
  logLevel?: string;
  log?: (message: string) => void;
}

/** Builds the page with vite (a dev dependency: present in the workspace) into `outDir` (default DEMO_DIST). */
export async function buildDemoPage(opts: { outDir?: string; log?: (message: string) => void } = {}): Promise<void> {
  const specifier = 'vite';
  const vite = (await import(/* @vite-ignore */ specifier)) as typeof import('vite');
  opts.log?.('building the page (vite)…');
  await vite.build({ root: DEMO_ROOT, configFile: nodePath.join(DEMO_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: opts.outDir ?? DEMO_DIST } });
}

/** Starts the server with the demo page; close it with `server.close()` and free the model with `runtime.dispose()`. */
export async function startDemo(opts: StartDemoOptions): Promise<StartedEveServer> {
  const log = opts.log ?? (() => {});
  const distDir = opts.distDir ?? DEMO_DIST;
  if (opts.rebuild || !nodeFs.existsSync(nodePath.join(distDir, 'index.html'))) await buildDemoPage({ outDir: distDir, log });
  let backend = opts.backend;
  if (!backend) {
    registerCpuBackend();
    await engine.setBackend('cpu');
    backend = 'cpu';
  }
  const runtime = await loadEveRuntime(opts.modelDir, { backend, log });
  try {
    // createServer, not startServer: the demo routes must be added before the app listens.
    const server = await createServer({ runtime, host: opts.host ?? '127.0.0.1', port: opts.port ?? 8000, logLevel: opts.logLevel ?? 'warn' });
    registerDemoRoutes(server.app, { distDir, modelId: runtime.modelId, modelDir: nodePath.resolve(opts.modelDir) });
    return await listenEveServer(server);
  } catch (e) {
    runtime.dispose();
    throw e;
  }
}
