/**
 * UTF-8 decoding of byte-fallback runs with sentencepiece's rules (`string_util::DecodeUTF8`):
 * each maximal valid character is decoded, and every byte that does not start a valid character
 * becomes one U+FFFD on its own. This differs from `TextDecoder`, which replaces a truncated
 * sequence ("maximal subpart") with a single U+FFFD. Not a general UTF-8 library.
 */

/** U+FFFD, what an invalid byte decodes to. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

const isTrail = (b: number | undefined): boolean => b !== undefined && (b & 0xc0) === 0x80;
const isValidCodePoint = (c: number): boolean => c < 0xd800 || (c >= 0xe000 && c <= 0x10ffff);

/** How many bytes a character starting with `lead` should have (1 for invalid leads). */
export function utf8ExpectedLength(lead: number): number {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) === 0xc0) return 2;
  if ((lead & 0xf0) === 0xe0) return 3;
  if ((lead & 0xf8) === 0xf0) return 4;
  return 1;
}

/**
 * Decodes one character at `bytes[offset]` as sentencepiece does.
 * Returns the code point and bytes consumed, or code point -1 (consumed 1) when invalid.
 */
export function decodeUtf8Char(bytes: ArrayLike<number>, offset: number): { codePoint: number; length: number } {
  const len = bytes.length - offset;
  const b0 = bytes[offset]!;
  if (b0 < 0x80) return { codePoint: b0, length: 1 };
  const b1 = bytes[offset + 1];
  const b2 = bytes[offset + 2];
  const b3 = bytes[offset + 3];
  if (len >= 2 && (b0 & 0xe0) === 0xc0) {
    const cp = ((b0 & 0x1f) << 6) | (b1! & 0x3f);
    if (isTrail(b1) && cp >= 0x80 && isValidCodePoint(cp)) return { codePoint: cp, length: 2 };
  } else if (len >= 3 && (b0 & 0xf0) === 0xe0) {
    const cp = ((b0 & 0x0f) << 12) | ((b1! & 0x3f) << 6) | (b2! & 0x3f);
    if (isTrail(b1) && isTrail(b2) && cp >= 0x800 && isValidCodePoint(cp)) return { codePoint: cp, length: 3 };
  } else if (len >= 4 && (b0 & 0xf8) === 0xf0) {
    const cp = ((b0 & 0x07) << 18) | ((b1! & 0x3f) << 12) | ((b2! & 0x3f) << 6) | (b3! & 0x3f);
    if (isTrail(b1) && isTrail(b2) && isTrail(b3) && cp >= 0x10000 && isValidCodePoint(cp)) {
      return { codePoint: cp, length: 4 };
    }
  }
  return { codePoint: -1, length: 1 };
}

/** Decodes a whole byte run (sentencepiece's `ProcessBytePieces`). */
export function decodeUtf8Run(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const { codePoint, length } = decodeUtf8Char(bytes, i);
    out += codePoint < 0 ? REPLACEMENT_CHARACTER : String.fromCodePoint(codePoint);
    i += length;
  }
  return out;
}
