import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError } from '@evejs/tensor';
import { builtinProcessorPath, loadBuiltinProcessorConfig, loadProcessorConfig, parseProcessorConfig } from './processor-config.js';

describe('processor configs', () => {
  it('ships the two reconstructed EVE configs (spec §2.3)', async () => {
    const c = await loadBuiltinProcessorConfig('eve-patch14-anypixel-672');
    expect(c).toMatchObject({ imageSize: 672, imageSizeClip: 336, patchStride: 14, convStride: 2, patchStrideClip: 14, doRescale: true, doNormalize: true });
    expect(c.imageMean).toEqual([0.48145466, 0.4578275, 0.40821073]);
    expect(c.rescaleFactor).toBe(1 / 255);
    expect((await loadBuiltinProcessorConfig('eve-patch14-anypixel-1344')).imageSize).toBe(1344);
  });
  it('loads from a directory or the file itself', async () => {
    const file = builtinProcessorPath('eve-patch14-anypixel-1344');
    expect((await loadProcessorConfig(join(file, '..'))).imageSize).toBe(1344);
    expect((await loadProcessorConfig(file)).imageSize).toBe(1344);
  });
  it('fills HF defaults for optional fields', () => {
    const c = parseProcessorConfig({ image_size: 448, image_size_clip: 224, patch_stride: 14, conv_stride: 2, patch_stride_clip: 14 });
    expect(c.imageStd).toEqual([0.26862954, 0.26130258, 0.27577711]);
    expect(c.rescaleFactor).toBe(1 / 255);
  });
  it('rejects broken configs with the file name and the field', async () => {
    const base = { image_size: 672, image_size_clip: 336, patch_stride: 14, conv_stride: 2, patch_stride_clip: 14 };
    expect(() => parseProcessorConfig({ ...base, image_size: 700 }, 'x.json')).toThrow(/x\.json: image_size 700 is not a multiple of image_size_clip 336/);
    expect(() => parseProcessorConfig({ ...base, patch_stride: 'a' }, 'x.json')).toThrow(/"patch_stride" must be a number/);
    expect(() => parseProcessorConfig({ ...base, image_mean: [1, 2] }, 'x.json')).toThrow(/"image_mean" must be 3 numbers/);
    expect(() => parseProcessorConfig([], 'x.json')).toThrow(FormatError);
    const dir = mkdtempSync(join(tmpdir(), 'evejs-proc-'));
    writeFileSync(join(dir, 'preprocessor_config.json'), '{ not json');
    await expect(loadProcessorConfig(dir)).rejects.toThrow(/preprocessor_config\.json: invalid JSON/);
    await expect(loadProcessorConfig(join(dir, 'missing'))).rejects.toThrow(/missing: no such processor config/);
  });
});
