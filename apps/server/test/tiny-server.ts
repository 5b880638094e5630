/**
 * Test helpers: the tiny committed EVE checkpoint (packages/model/test/fixtures/tiny-eve, random
 * weights, 320-token vocabulary with its own tokenizer.json, 256 positions, 84-pixel images)
 * loaded once per test file on the CPU backend, and a real server on loopback port 0 around it.
 */
import { fileURLToPath } from 'node:url';
import { encodePng } from '@evejs/image';
import { engine, registerCpuBackend } from '@evejs/tensor';
import type { GeneratedToken } from '@evejs/model';
import { EveRuntime, loadEveRuntime, startServer, type RuntimeGenerateOptions, type ServerOptions, type StartedEveServer } from '../src/index.js';

export const TINY_EVE = fileURLToPath(new URL('../../../packages/model/test/fixtures/tiny-eve', import.meta.url));
export const MODEL_ID = 'tiny-eve';

let runtime: Promise<EveRuntime> | null = null;

/** The tiny model, loaded once per test file. */
export function tinyRuntime(): Promise<EveRuntime> {
  runtime ??= (async () => {
    registerCpuBackend();
    await engine.setBackend('cpu');
    return loadEveRuntime(TINY_EVE, { backend: 'cpu', modelId: MODEL_ID });
  })();
  return runtime;
}

/**
 * The tiny model paced to at least `msPerToken` per token, so queue, cancellation and timeout
 * tests do not depend on how fast this machine generates (the real model still runs).
 */
export async function pacedRuntime(msPerToken: number): Promise<EveRuntime> {
  const base = await tinyRuntime();
  return new (class extends EveRuntime {
    override async *generate(ids: readonly number[], opts: RuntimeGenerateOptions): AsyncGenerator<GeneratedToken> {
      for await (const step of super.generate(ids, opts)) {
        await new Promise((r) => setTimeout(r, msPerToken));
        yield step;
      }
    }
  })(base.loaded, base.tokenizer, base.imageProcessor, base.template, base.modelId, base.backend);
}

/** Starts a server on 127.0.0.1:0 with logs off unless asked for. */
export async function startTinyServer(opts: Partial<ServerOptions> = {}): Promise<StartedEveServer> {
  return startServer({ runtime: await tinyRuntime(), host: '127.0.0.1', port: 0, logLevel: 'silent', ...opts });
}

/** A PNG of the given size (a colour gradient) as bytes. */
export async function pngBytes(width: number, height: number): Promise<Buffer> {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([(x * 255) / width, (y * 255) / height, 128], (y * width + x) * 3);
  return Buffer.from(await encodePng({ data, width, height, channels: 3 }));
}

/** The same PNG as a base64 data URL. */
export async function pngDataUrl(width: number, height: number): Promise<string> {
  return `data:image/png;base64,${(await pngBytes(width, height)).toString('base64')}`;
}
