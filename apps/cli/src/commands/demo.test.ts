// `eve demo` in a child process on the tiny EVE fixture: it prints the URL, serves the page,
// the model's file listing and files, and the API on one port, and exits 0 on SIGTERM. A --model
// folder that is not a checkpoint is refused with its name.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../../packages/model/test/fixtures/tiny-eve', import.meta.url));
const CLI = ['--conditions=@evejs/source', '--import', 'tsx', 'apps/cli/src/bin.ts', 'demo'];

describe('eve demo', () => {
  it('serves the page, the model files and the API, and shuts down cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [...CLI, '--model', MODEL, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /^(http:\/\/\S+\/)$/m.exec(stdout);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`eve demo exited early:\n${stderr}`)));
    });
    try {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>EVE demo');
      const listing = (await (await fetch(`${url}models/tiny-eve/`)).json()) as { files: string[] };
      expect(listing.files).toEqual(expect.arrayContaining(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'model-00001-of-00002.safetensors']));
      expect(listing.files).not.toContain('golden.safetensors');
      expect((await fetch(`${url}models/tiny-eve/..%2Fconfig.json`)).status).toBe(404);
      const models = (await (await fetch(`${url}v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data[0]!.id).toBe('tiny-eve');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('open http://');
  });

  it('refuses a --model folder that is not a checkpoint, naming it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-model-'));
    try {
      const r = spawnSync(process.execPath, [...CLI, '--port', '0', '--model', empty], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${empty} is not an EVE checkpoint folder`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
