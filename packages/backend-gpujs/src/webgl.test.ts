// gpu.js in its GPU mode: the kernels run on WebGL2 in headless Chromium (SwiftShader, a software
// GPU; no real GPU is on the CI machines) against the evejs CPU backend on the same page.
// Skipped, and says so, where /usr/bin/chromium is missing.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

/**
 * Bundles the page for the browser. @evejs/tensor's entry imports node: builtins (os for the CPU
 * backend's info, fs/path for safetensors files), which the page never calls: they are stubbed.
 */
async function bundlePage(): Promise<string> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL('../test/webgl-page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    conditions: ['@evejs/source'],
    logLevel: 'silent',
    plugins: [
      {
        name: 'stub-node-builtins',
        setup(b) {
          b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
            // CommonJS, so any named import resolves (to a function that is never called on the page).
            contents: 'module.exports = new Proxy({}, { get: (_, k) => (k === "__esModule" ? false : () => []) });',
          }));
        },
      },
    ],
  });
  return out.outputFiles[0]!.text;
}

describe.skipIf(!hasChromium)(`gpu.js on WebGL2 in headless Chromium${hasChromium ? '' : ' (skipped: /usr/bin/chromium not installed)'}`, () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('matches the CPU backend on matmul, elementwise, reductions, softmax, norms and an MLP backward', async () => {
    const js = await bundlePage();
    server = createServer((req, res) => {
      if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/page.js"></script>');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 45_000 });
      const result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as {
        error?: string;
        mode: string;
        cases: { name: string; maxAbs: number; maxRel: number; length: boolean }[];
      };
      expect(result.error).toBeUndefined();
      expect(result.mode).toBe('webgl2');
      for (const c of result.cases) {
        expect(c.length, c.name).toBe(true);
        // WebGL floats are IEEE single precision but GLSL exp/log/division are not correctly
        // rounded (SwiftShader: a few ulp), and erf is a 1.5e-7 polynomial: 1e-4 relative.
        expect(c.maxRel, `${c.name}: max abs ${c.maxAbs}`).toBeLessThan(1e-4);
      }
    } finally {
      await browser.close();
    }
  });
});
