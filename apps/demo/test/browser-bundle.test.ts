// The page's bundle pulls in @evejs/tensor, model, image, tokenizer and backend-webgpu. A static
// `node:` import (or sharp) anywhere in them makes vite either fail or replace the module with a
// throwing stub; both would break the page. This build must finish without any such warning.
import { fileURLToPath } from 'node:url';
import { build, createLogger } from 'vite';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('browser bundle', () => {
  it('builds the page with no Node module externalized', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn', { allowClearScreen: false });
    logger.warn = (msg) => warnings.push(msg);
    logger.warnOnce = (msg) => warnings.push(msg);
    await build({ root: ROOT, configFile: `${ROOT}vite.config.ts`, customLogger: logger, build: { outDir: `${ROOT}test-results/bundle-check`, emptyOutDir: true } });
    expect(warnings.filter((w) => /externalized for browser compatibility|sharp/.test(w))).toEqual([]);
  });
});
