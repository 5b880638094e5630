// Runs the real `eve` entry point in a child process, as users and other tools do.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
/** Node's arguments that run the workspace's `eve` from its TypeScript sources. */
const EVE_ENTRY = ['--conditions=@evejs/source', '--import', 'tsx', 'apps/cli/src/bin.ts'];

/** Runs `eve <args>` from the repository root; resolves with stdout/stderr and the exit code. */
export async function eve(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...EVE_ENTRY, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('eve CLI', () => {
  it('stops quietly when the reader closes stdout early (eve … | head)', async () => {
    const child = spawn(process.execPath, [...EVE_ENTRY, 'version'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write: every write fails with EPIPE
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it('--help lists the commands', async () => {
    const r = await eve(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: eve');
    expect(r.stdout).toMatch(/version/);
    expect(r.stdout).toMatch(/env/);
  });

  it('version prints the package version and the runtime', async () => {
    const r = await eve(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^evejs \d+\.\d+\.\d+\nnode v\d+/);
  });

  it('env --json lists all four backends with their devices (or why one cannot start)', async () => {
    const r = await eve(['env', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { backend: string; ok: boolean; device: string }[];
    expect(rows.map((x) => x.backend).sort()).toEqual(['cpu', 'gpujs', 'tfjs', 'webgpu']);
    const cpu = rows.find((x) => x.backend === 'cpu');
    expect(cpu?.ok).toBe(true);
    expect(cpu?.device).toMatch(/threads/);
    expect(rows.find((x) => x.backend === 'tfjs')?.device).toMatch(/wasm|cpu|tensorflow/);
    for (const row of rows) expect(row.device.length).toBeGreaterThan(3);
  });

  it('--backend names an unknown backend clearly', async () => {
    const { selectBackend } = await import('./backends.js');
    await expect(selectBackend('cuda')).rejects.toThrow(/unknown backend "cuda"; choose one of cpu, webgpu, gpujs, tfjs/);
  });

  it('an unknown command fails with a non-zero exit code and says why', async () => {
    const r = await eve(['no-such-command']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
  });
});
