// `eve forward` in a child process on the tiny EVE fixture: the text-only logits match the
// PyTorch golden; with an image file, the output equals the in-process model on the same
// preprocessed pixels; argument errors are clear.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, noGrad, openCheckpoint, registerCpuBackend, tidy } from '@evejs/tensor';
import { compareStats } from '@evejs/tensor/testing';
import { decodeImage, encodePng, loadProcessorConfig, preprocessImage } from '@evejs/image';
import { loadPretrained, prepareImage } from '@evejs/model';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

/** Runs `eve <args>` in a child process from the repository root. */
async function eve(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--conditions=@evejs/source', '--import', 'tsx', 'apps/cli/src/bin.ts', ...args], { cwd: ROOT });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const MODEL = fileURLToPath(new URL('../../../../packages/model/test/fixtures/tiny-eve', import.meta.url));

async function readF32(path: string, key: string): Promise<{ data: Float32Array; shape: number[] }> {
  const f = await openCheckpoint(path);
  try {
    const t = await f.read(key, { backend: 'cpu' });
    const out = { data: t.dataSync() as Float32Array, shape: [...t.shape] };
    t.dispose();
    return out;
  } finally {
    await f.close();
  }
}

describe('eve forward', () => {
  let dir: string;
  beforeAll(async () => {
    registerCpuBackend();
    await engine.initBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'eve-forward-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('text only: logits [sequence, vocab] match the PyTorch golden', async () => {
    const out = join(dir, 'text.safetensors');
    const r = await eve(['forward', '--model', MODEL, '--input-ids=1,3,99,250,17,201,12,45,46,2,9', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = await readF32(out, 'logits');
    const want = await readF32(join(MODEL, 'golden.safetensors'), 'text.logits');
    expect(got.shape).toEqual([11, 320]);
    expect(compareStats(got.data, want.data).relL2).toBeLessThan(1e-4);
  });

  it('with an image file: logits over the spliced sequence and image_embeds', async () => {
    const png = join(dir, 'wide.png');
    const w = 50;
    const h = 30;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 37 + (i >> 5) * 11) % 256);
    await writeFile(png, await encodePng({ width: w, height: h, channels: 3, data: rgb }));
    const out = join(dir, 'image.safetensors');
    const r = await eve(['forward', '--model', MODEL, '--image', png, '--input-ids', '1,7,-200,13,5', '--out', out]);
    expect(r.code).toBe(0);
    const logits = await readF32(out, 'logits');
    const embeds = await readF32(out, 'image_embeds');
    // 50×30 on the 84-px model: v = 2 → 2×3 pooled grid → 1 + 2·4 = 9 image tokens
    expect(embeds.shape).toEqual([9, 64]);
    expect(logits.shape).toEqual([4 + 9, 320]);
    const { model } = await loadPretrained(MODEL, { backend: 'cpu' });
    const pre = preprocessImage(await decodeImage(png), await loadProcessorConfig(MODEL));
    const image = prepareImage(pre.data, pre.shape, 14, 'cpu');
    const ref = noGrad(() => tidy(() => model.forward([1, 7, -200, 13, 5], [image])));
    expect(compareStats(logits.data, ref.logits.dataSync() as Float32Array).maxAbs).toBe(0);
    model.dispose();
  });

  it('explains a missing image and bad ids', async () => {
    const r1 = await eve(['forward', '--model', MODEL, '--input-ids=-200,1', '--out', join(dir, 'x.safetensors')]);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain('no --image');
    const r2 = await eve(['forward', '--model', MODEL, '--input-ids=1,x', '--out', join(dir, 'x.safetensors')]);
    expect(r2.stderr).toContain('"x" is not an integer');
    const r3 = await eve(['forward', '--model', MODEL, '--input-ids=1,99999', '--out', join(dir, 'x.safetensors')]);
    expect(r3.stderr).toContain('outside the vocabulary');
  });
});
