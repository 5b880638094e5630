// `eve convert --quantize` and `eve chat --dtype q8/q4` in child processes on the built-in model:
// the quantised copy is a fraction of the f32 file, loads as stored, and still answers the
// README's question correctly; a bad format is refused with the accepted ones named.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const BUILTIN = join(ROOT, 'models/eve-shapes-tiny');
const eve = (...args: string[]) => promisify(execFile)(process.execPath, ['--conditions=@evejs/source', '--import', 'tsx', 'apps/cli/src/bin.ts', ...args], { cwd: ROOT });
const QUESTION = ['--image', 'examples/shapes.png', 'What color is the diamond?'];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eve-cli-convert-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('eve convert --quantize / eve chat --dtype', () => {
  it('writes a q8_0 copy well under half the f32 file that answers like the f32 model', async () => {
    const out = join(tmp, 'q8');
    const { stdout } = await eve('convert', '--model', BUILTIN, '--out', out, '--quantize', 'q8');
    expect(stdout).toMatch(/^wrote \d+ tensors \([\d.]+ MB\) to .*; dropped \d+ training-only tensors\n$/);
    const ratio = (await stat(join(out, 'model.safetensors'))).size / (await stat(join(BUILTIN, 'model.safetensors'))).size;
    // Matrices shrink to 1.0625/4; this tiny model's f32 vectors (patch convolution, norms) stay.
    expect(ratio).toBeGreaterThan(0.27);
    expect(ratio).toBeLessThan(0.45);
    expect((await eve('chat', '--model', out, ...QUESTION)).stdout).toBe('purple\n');
  }, 120_000);

  it('quantises to q4_0 while loading and still answers', async () => {
    expect((await eve('chat', '--dtype', 'q4', ...QUESTION)).stdout).toBe('purple\n');
  }, 120_000);

  it('refuses an unknown format', async () => {
    await expect(eve('convert', '--model', BUILTIN, '--out', join(tmp, 'bad'), '--quantize', 'q3')).rejects.toThrow(/--quantize must be q8_0 \(q8\) or q4_0 \(q4\), got q3/);
  });
});
