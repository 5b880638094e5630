import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EveError, FormatError } from '@evejs/tensor';
import { goldens, input, sha256 } from '../test/goldens.js';
import { decodeImage } from './decode-image.js';

describe('decodeImage matches PIL Image.open(f).convert("RGB")', () => {
  for (const [name, g] of Object.entries(goldens.decode)) {
    it(`${name} (PIL mode ${g.mode})`, async () => {
      const img = await decodeImage(input(name));
      expect([img.width, img.height, img.channels]).toEqual([g.width, g.height, 3]);
      expect(sha256(img.data)).toBe(g.sha256);
    });
  }
});

describe('decodeImage inputs', () => {
  const path = input('landscape-97x61.png');
  const bytes = readFileSync(path);
  const expected = goldens.decode['landscape-97x61.png']!.sha256;
  it('accepts a Buffer, a Uint8Array, a data URL and bare base64', async () => {
    const b64 = bytes.toString('base64');
    for (const x of [bytes, new Uint8Array(bytes), `data:image/png;base64,${b64}`, b64]) {
      expect(sha256((await decodeImage(x)).data)).toBe(expected);
    }
  });
  it('decodes AVIF (no Pillow 9.4 reference: checked for size and closeness to the source)', async () => {
    const src = await decodeImage(path);
    const avif = await sharp(src.data, { raw: { width: 97, height: 61, channels: 3 } }).avif({ quality: 90 }).toBuffer();
    const img = await decodeImage(avif, { name: 'x.avif' });
    expect([img.format, img.width, img.height]).toEqual(['heif', 97, 61]);
    let err = 0;
    for (let i = 0; i < img.data.length; i++) err += Math.abs((img.data[i] as number) - (src.data[i] as number));
    expect(err / img.data.length).toBeLessThan(12); // lossy, but the same picture
  });
  it('applies EXIF orientation only when asked', async () => {
    const stored = await decodeImage(input('exif-rot6-48x32.jpg'));
    expect([stored.width, stored.height]).toEqual([48, 32]);
    const shown = await decodeImage(input('exif-rot6-48x32.jpg'), { applyExifOrientation: true });
    expect([shown.width, shown.height]).toEqual([32, 48]);
    // Orientation 6 = rotate 90° clockwise: the stored bottom-left pixel becomes the top-left.
    const s = (x: number, y: number) => [...stored.data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3)];
    expect([...shown.data.subarray(0, 3)]).toEqual(s(0, 31));
  });
});

describe('decodeImage errors name the input and never hang', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evejs-image-'));
  const png = readFileSync(input('landscape-97x61.png'));
  const jpg = readFileSync(input('large-700x430.jpg'));

  it('missing file', async () => {
    await expect(decodeImage(join(dir, 'nope.png'))).rejects.toThrow(EveError);
    await expect(decodeImage(join(dir, 'nope.png'))).rejects.toThrow(/nope\.png: cannot read image \(no such file\)/);
  });
  it('a directory', async () => {
    await expect(decodeImage(dir)).rejects.toThrow(/is a directory/);
  });
  it('empty file', async () => {
    const f = join(dir, 'empty.png');
    writeFileSync(f, new Uint8Array(0));
    await expect(decodeImage(f)).rejects.toThrow(FormatError);
    await expect(decodeImage(f)).rejects.toThrow(/empty\.png: empty file/);
  });
  it('not an image', async () => {
    const f = join(dir, 'notes.txt');
    writeFileSync(f, 'hello, this is text and not an image at all');
    await expect(decodeImage(f)).rejects.toThrow(/notes\.txt: unsupported or unrecognised image format/);
  });
  it('a format sharp reads but EVE does not take (SVG)', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expect(decodeImage(svg, { name: 'icon.svg' })).rejects.toThrow(/icon\.svg: unsupported image format "svg"/);
  });
  it('truncated PNG and JPEG', async () => {
    await expect(decodeImage(png.subarray(0, png.length >> 1), { name: 'half.png' })).rejects.toThrow(/half\.png: cannot decode image/);
    await expect(decodeImage(jpg.subarray(0, jpg.length >> 1), { name: 'half.jpg' })).rejects.toThrow(/half\.jpg: cannot decode image/);
    await expect(decodeImage(png.subarray(0, 20), { name: 'header.png' })).rejects.toThrow(FormatError);
  });
  it('zero-size image header', async () => {
    const bad = Buffer.from(png);
    bad.writeUInt32BE(0, 16); // IHDR width = 0
    await expect(decodeImage(bad, { name: 'zero.png' })).rejects.toThrow(/zero\.png: /);
  });
  it('decompression bomb: rejected from the header, before decoding', async () => {
    // A small PNG whose header claims 20000×20000 (1.2 GB decoded): the header alone must stop it.
    const bomb = Buffer.from(png);
    bomb.writeUInt32BE(20000, 16);
    bomb.writeUInt32BE(20000, 20);
    bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
    const t = performance.now();
    await expect(decodeImage(bomb, { name: 'bomb.png' })).rejects.toThrow(/bomb\.png: image is 20000×20000 = 400000000 pixels, over the limit of 178956970/);
    expect(performance.now() - t).toBeLessThan(2000);
    await expect(decodeImage(png, { name: 'small.png', maxPixels: 1000 })).rejects.toThrow(/small\.png: .*over the limit of 1000/);
  });
  it('invalid base64 and data URLs', async () => {
    await expect(decodeImage('data:image/png,rawnotbase64')).rejects.toThrow(/data URL: only base64 data URLs/);
    await expect(decodeImage('data:image/png;base64,@@@@')).rejects.toThrow(/data URL: invalid base64/);
  });
});
