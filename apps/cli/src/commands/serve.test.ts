// `eve serve` in a child process on the tiny EVE fixture: it prints where it listens, answers
// a chat completion, and exits 0 on SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../../packages/model/test/fixtures/tiny-eve', import.meta.url));

describe('eve serve', () => {
  it('serves the tiny model and shuts down cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--conditions=@evejs/source', '--import', 'tsx', 'apps/cli/src/bin.ts', 'serve', '--model', MODEL, '--port', '0', '--log-level', 'warn', '--api-key', 'k'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`eve serve exited early:\n${stderr}`)));
    });
    try {
      expect(stderr).toContain('API key required');
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
        body: JSON.stringify({ model: 'tiny-eve', max_tokens: 3, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { usage: { completion_tokens: number } };
      expect(body.usage.completion_tokens).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: shutting down');
  });
});
