/**
 * Turns the ways a caller can hand us an image (a file path, a Buffer/Uint8Array, a `data:` URL,
 * a bare base64 string as in MMBench's TSV files) into bytes plus a name for error messages.
 * It reads files; it does not look at the bytes (decode-image.ts does).
 */
import type * as NodeFs from 'node:fs';
import type * as NodeFsPromises from 'node:fs/promises';
import { EveError, FormatError, nodeBuiltin } from '@evejs/tensor';

const nodeFsSync = nodeBuiltin<typeof NodeFs>('node:fs');
const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');

/** An image as a path, raw encoded bytes, a `data:` URL or a base64 string. */
export type ImageInput = string | Uint8Array;

/** Encoded bytes and the name errors use for them. */
export interface ImageBytes {
  readonly bytes: Uint8Array;
  /** The path, or "data URL", "base64 string", "buffer" (or the caller's name). */
  readonly name: string;
}

const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

function decodeBase64(text: string, name: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length === 0 || !BASE64.test(clean) || clean.length % 4 === 1) throw new FormatError(name, 'invalid base64 data');
  return Buffer.from(clean, 'base64');
}

/**
 * Resolves an {@link ImageInput} to bytes. Strings starting with `data:` are data URLs (base64
 * only); other strings are file paths, except strings of 64+ base64 characters without a '.'
 * that do not name an existing file, which are treated as base64 image data.
 *
 * @param name overrides the name used in error messages.
 */
export async function readImageInput(input: ImageInput, name?: string): Promise<ImageBytes> {
  if (input instanceof Uint8Array) return { bytes: input, name: name ?? 'buffer' };
  if (typeof input !== 'string') throw new EveError(`image input must be a path, data URL, base64 string or Uint8Array, got ${typeof input}`);
  if (input.startsWith('data:')) {
    const label = name ?? 'data URL';
    const comma = input.indexOf(',');
    if (comma < 0 || !/;base64$/i.test(input.slice(0, comma))) throw new FormatError(label, 'only base64 data URLs (data:image/…;base64,…) are supported');
    return { bytes: decodeBase64(input.slice(comma + 1), label), name: label };
  }
  // A base64 image is long and has no '.'; an existing file of that name still wins.
  if (input.length >= 64 && !input.includes('.') && BASE64.test(input) && !(input.length < 4096 && nodeFsSync.existsSync(input))) {
    return { bytes: decodeBase64(input, name ?? 'base64 string'), name: name ?? 'base64 string' };
  }
  try {
    return { bytes: await nodeFs.readFile(input), name: name ?? input };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not an image file' : (err as Error).message;
    throw new EveError(`${name ?? input}: cannot read image (${why})`);
  }
}
