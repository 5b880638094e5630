import { describe, expect, it } from 'vitest';
import { goldens, input, sha256 } from '../test/goldens.js';
import { backgroundColor, blankImage, normalizationTable, preprocessImage, preprocessTeacherImage } from './anypixel-preprocess.js';
import { decodeImage } from './decode-image.js';
import { denormalizeToRgb, maskToGrey } from './denormalize.js';
import { loadBuiltinProcessorConfig } from './processor-config.js';

const configs = {
  672: await loadBuiltinProcessorConfig('eve-patch14-anypixel-672'),
  1344: await loadBuiltinProcessorConfig('eve-patch14-anypixel-1344'),
} as const;

describe('preprocessImage matches EVE process_images (PIL + transformers 4.31 arithmetic) bit for bit', () => {
  for (const g of goldens.preprocess) {
    it(`${g.input} @ ${g.image_size}`, async () => {
      const config = configs[g.image_size as 672 | 1344];
      const img = await decodeImage(input(g.input));
      const out = preprocessImage(img, config);
      expect(out.shape).toEqual([4, g.image_size, g.image_size]);
      expect(out.geometry.basehw).toEqual(g.basehw);
      expect(out.geometry.needhw).toEqual(g.needhw);
      expect(sha256(out.data)).toBe(g.sha256);
      if (g.image_size === 672) expect(sha256(preprocessTeacherImage(img, config).data)).toBe(g.teacher_sha256);
    });
  }
});

describe('preprocessImage', () => {
  it('pads with (122, 116, 104) and masks exactly the valid region', async () => {
    const config = configs[672];
    expect(backgroundColor(config)).toEqual([122, 116, 104]);
    const img = await decodeImage(input('wide-200x20.png'));
    const out = preprocessImage(img, config);
    const S = 672;
    const [x0, y0, x1, y1] = out.geometry.validBox;
    const luts = normalizationTable(config);
    const mask = out.data.subarray(3 * S * S);
    let ones = 0;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
        expect(mask[y * S + x]).toBe(inside ? 1 : 0);
        if (inside) ones++;
        else if ((x + y) % 97 === 0) expect(out.data[y * S + x]).toBe(luts[0]![122]);
      }
    }
    expect(ones).toBe((x1 - x0) * (y1 - y0));
  });
  it('round-trips to RGB bytes and a mask image', async () => {
    const config = configs[672];
    const out = preprocessImage(await decodeImage(input('square-50x50.png')), config);
    const rgb = denormalizeToRgb(out, config);
    const m = maskToGrey(out);
    expect([rgb.width, rgb.height, m.channels]).toEqual([672, 672, 1]);
    // Every byte 0…255 survives normalise → denormalise.
    const lut = normalizationTable(config);
    const all = { data: new Float32Array(4 * 256), shape: [4, 1, 256] as [4, number, number] };
    for (let c = 0; c < 3; c++) for (let u = 0; u < 256; u++) all.data[c * 256 + u] = lut[c]![u]!;
    const back = denormalizeToRgb(all, config);
    for (let u = 0; u < 256; u++) expect([...back.data.subarray(u * 3, u * 3 + 3)]).toEqual([u, u, u]);
  });
  it('rejects non-RGB pixel data', () => {
    expect(() => preprocessImage({ data: new Uint8Array(4), width: 2, height: 2, channels: 1 }, configs[672])).toThrow(/expected an RGB image/);
  });
  it('blank images for text-only samples: background colour, zero mask', () => {
    const b = blankImage(configs[672]);
    expect(b.shape).toEqual([4, 672, 672]);
    expect(b.data[0]).toBe(normalizationTable(configs[672])[0]![122]);
    expect(b.data.subarray(3 * 672 * 672).every((v) => v === 0)).toBe(true);
    expect(blankImage(configs[1344], { teacher: true }).shape).toEqual([4, 336, 336]);
  });
});
