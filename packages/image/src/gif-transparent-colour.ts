/**
 * Reads, from a GIF's headers, the RGB colour of the first frame's transparent palette index.
 * PIL opens a GIF as a palette image, so `convert('RGB')` shows transparent pixels in that
 * palette colour; sharp decodes them as (0, 0, 0, 0). Knowing the colour lets decode-image.ts
 * give the same bytes as PIL. This is a header walk only: no LZW decoding.
 */

/** The RGB of the transparent index of the first frame, or `null` if none (or not parseable). */
export function gifTransparentColour(bytes: Uint8Array): [number, number, number] | null {
  if (bytes.length < 13 || bytes[0] !== 0x47 || bytes[1] !== 0x49 || bytes[2] !== 0x46) return null; // "GIF"
  const packed = bytes[10] as number;
  let pos = 13;
  let palette: Uint8Array | null = null;
  if (packed & 0x80) {
    const size = 3 * (1 << ((packed & 7) + 1));
    palette = bytes.subarray(pos, pos + size);
    pos += size;
  }
  let transparentIndex = -1;
  while (pos < bytes.length) {
    const block = bytes[pos];
    if (block === 0x21) {
      const label = bytes[pos + 1];
      pos += 2;
      if (label === 0xf9 && bytes[pos] === 4 && pos + 5 <= bytes.length) {
        const flags = bytes[pos + 1] as number;
        if (flags & 1) transparentIndex = bytes[pos + 4] as number;
      }
      // Skip the data sub-blocks.
      while (pos < bytes.length) {
        const len = bytes[pos] as number;
        pos += 1 + len;
        if (len === 0) break;
      }
    } else if (block === 0x2c) {
      const imagePacked = bytes[pos + 9];
      if (imagePacked === undefined) return null;
      if (imagePacked & 0x80) {
        const size = 3 * (1 << ((imagePacked & 7) + 1));
        palette = bytes.subarray(pos + 10, pos + 10 + size);
      }
      break;
    } else {
      return null;
    }
  }
  if (transparentIndex < 0 || !palette) return null;
  const i = transparentIndex * 3;
  // PIL pads short palettes with zeros.
  return [palette[i] ?? 0, palette[i + 1] ?? 0, palette[i + 2] ?? 0];
}
