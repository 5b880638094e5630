import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byteDiff, FIXTURES, goldens, input, sha256 } from '../test/goldens.js';
import { decodeImage } from './decode-image.js';
import { bicubicCoefficients, resizeBicubic, type PixelImage } from './pillow-resize.js';

function grey(img: PixelImage): PixelImage {
  // The grey (mode L) fixtures decode to replicated RGB, so channel 0 is the L value itself.
  const out = new Uint8Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i * 3] as number;
  return { data: out, width: img.width, height: img.height, channels: 1 };
}

describe('resizeBicubic matches Pillow 9.4 Image.resize byte for byte', () => {
  for (const c of goldens.resize) {
    it(`${c.input} (${c.mode}) → ${c.width}×${c.height}`, async () => {
      const rgb = await decodeImage(input(c.input));
      const src = c.mode === 'L' ? grey(rgb) : rgb;
      const out = resizeBicubic(src, c.width, c.height);
      expect(out.data.length).toBe(c.width * c.height * (c.mode === 'L' ? 1 : 3));
      if (c.bytes) {
        const ref = new Uint8Array(readFileSync(FIXTURES + c.bytes));
        expect(byteDiff(out.data, ref)).toEqual({ differing: 0, max: 0 });
      }
      expect(sha256(out.data)).toBe(c.sha256);
    });
  }
});

describe('resizeBicubic', () => {
  it('returns an equal copy for an unchanged size', () => {
    const src: PixelImage = { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), width: 2, height: 1, channels: 3 };
    const out = resizeBicubic(src, 2, 1);
    expect(out.data).toEqual(src.data);
    expect(out.data).not.toBe(src.data);
  });
  it('keeps a constant image constant (weights sum to one in fixed point)', () => {
    const src: PixelImage = { data: new Uint8Array(37 * 11 * 3).fill(200), width: 37, height: 11, channels: 3 };
    for (const [w, h] of [[5, 3], [100, 40], [37, 1], [1, 11]] as const) expect(new Set(resizeBicubic(src, w, h).data)).toEqual(new Set([200]));
  });
  it('widens the kernel when downscaling (antialiasing) and not when upscaling', () => {
    expect(bicubicCoefficients(100, 200).ksize).toBe(5); // support 2 → ceil(2)·2+1
    expect(bicubicCoefficients(300, 100).ksize).toBe(13); // support 6
  });
  it('rejects bad sizes', () => {
    const src: PixelImage = { data: new Uint8Array(3), width: 1, height: 1, channels: 3 };
    expect(() => resizeBicubic(src, 0, 1)).toThrow(RangeError);
    expect(() => resizeBicubic(src, 1.5, 1)).toThrow(RangeError);
    expect(() => resizeBicubic({ ...src, width: 2 }, 1, 1)).toThrow(/data length/);
  });
});
