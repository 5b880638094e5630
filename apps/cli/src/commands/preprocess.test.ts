import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SafetensorsFile } from '@evejs/tensor';
import { main } from '../index.js';
import { maskPngPath } from './preprocess.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const processor = join(repo, 'packages/image/processors/eve-patch14-anypixel-672');
const image = join(repo, 'packages/image/test/fixtures/inputs/wide-200x20.png');

describe('eve preprocess', () => {
  it('writes pixel_values [4, 672, 672] F32 and the RGB and mask PNGs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evejs-preprocess-'));
    const out = join(dir, 'x.safetensors');
    const png = join(dir, 'x.png');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await main(['preprocess', '--processor', processor, '--image', image, '--out', out, '--png', png])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    // PNG IHDR: width, height at bytes 16/20, colour type at 25 (0 grey, 2 RGB).
    const ihdr = (file: string) => {
      const b = readFileSync(file);
      return [b.readUInt32BE(16), b.readUInt32BE(20), b[25]];
    };
    expect(ihdr(png)).toEqual([672, 672, 2]);
    expect(ihdr(maskPngPath(png))).toEqual([672, 672, 0]);
    const f = await SafetensorsFile.open(out);
    try {
      expect(f.keys()).toEqual(['pixel_values']);
      expect(f.info('pixel_values')).toMatchObject({ fileDType: 'F32', shape: [4, 672, 672] });
    } finally {
      await f.close();
    }
  });
  it('names the mask PNG after the RGB one', () => {
    expect(maskPngPath('a/b.png')).toBe('a/b.mask.png');
    expect(maskPngPath('a/b')).toBe('a/b.mask.png');
  });
});
