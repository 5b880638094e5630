// `eve demo`: the web demo in one command. Builds the page if needed, loads the built-in model
// (models/eve-shapes-tiny, or --model <dir>) into the EVE server, serves the page and the
// model's files on the same port, and prints the URL. Ctrl+C stops it.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EveError } from '@evejs/tensor';
import { DEMO_ROOT, startDemo } from '@evejs/demo';
import { selectBackend } from '../backends.js';

interface DemoOptions {
  model?: string;
  backend?: string;
  host: string;
  port: string;
  rebuild?: boolean;
}

/** The repository's built-in model folder. */
export const BUILT_IN_MODEL = resolve(DEMO_ROOT, '../../models/eve-shapes-tiny');

function checkModelDir(dir: string, isBuiltIn: boolean): void {
  if (!existsSync(join(dir, 'config.json')) || !readdirSync(dir).some((n) => n.endsWith('.safetensors') || n.endsWith('.bin'))) {
    throw new EveError(
      isBuiltIn
        ? `the built-in model ${dir} has no weights yet (config.json and model.safetensors come from the trainer); pass --model <dir>, e.g. --model packages/model/test/fixtures/tiny-eve`
        : `${dir} is not an EVE checkpoint folder (needs config.json and *.safetensors weights)`,
    );
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('serve the web demo (drop an image, see its patch grid, chat; server or in-browser WebGPU) with a model')
    .option('--model <dir>', 'EVE checkpoint folder (default: the built-in models/eve-shapes-tiny)')
    .option('--backend <name>', 'compute backend for the server (default: EVE_BACKEND or cpu)')
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', '8080')
    .option('--rebuild', 'rebuild the page even if it was built before')
    .action(async (opts: DemoOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0) throw new EveError(`--port must be a whole number ≥ 0, got ${opts.port}`);
      const modelDir = resolve(opts.model ?? BUILT_IN_MODEL);
      checkModelDir(modelDir, opts.model === undefined);
      const log = (msg: string) => process.stderr.write(`eve demo: ${msg}\n`);
      const backend = await selectBackend(opts.backend);
      log(`loading ${modelDir} on ${backend}…`);
      const server = await startDemo({ modelDir, backend, host: opts.host, port, rebuild: opts.rebuild === true, log });
      log(`open ${server.url}/ in a browser (server mode works everywhere; in-browser mode needs WebGPU). Ctrl+C stops.`);
      process.stdout.write(`${server.url}/\n`);
      try {
        await new Promise<void>((done) => {
          const stop = (signal: string) => {
            log(`${signal}: shutting down`);
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
            void server.close().then(done, done);
          };
          const onInt = () => stop('SIGINT');
          const onTerm = () => stop('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
        });
      } finally {
        server.context.runtime.dispose();
      }
    });
}
