/**
 * `<image>` splicing at the id level: EVE's `tokenizer_image_token` (eve/mm_utils.py). The prompt
 * is split at the literal `<image>`, every chunk is tokenised as a fresh string (BOS included),
 * one BOS is kept, and -200 stands between chunks. Replacing -200 by image features happens in
 * the model, not here.
 */
import type { LlamaTokenizer } from './llama-tokenizer.js';

/** Placeholder id of one image in text-level ids (`IMAGE_TOKEN_INDEX`). */
export const IMAGE_TOKEN_INDEX = -200;

/** The image placeholder string (`DEFAULT_IMAGE_TOKEN`). */
export const DEFAULT_IMAGE_TOKEN = '<image>';

/**
 * Tokenises a prompt that may contain `<image>`, exactly as `tokenizer_image_token`.
 *
 * @example
 * tokenizerImageToken(tok, 'USER: <image>\nHi'); // [1, 3148, 1001, 29901, 29871, -200, 29871, 13, 6324]
 */
export function tokenizerImageToken(tokenizer: LlamaTokenizer, prompt: string): number[] {
  const chunks = prompt.split(DEFAULT_IMAGE_TOKEN).map((chunk) => tokenizer.encode(chunk));
  const ids: number[] = [];
  // When the first chunk starts with BOS, keep one and drop the first id of *every* chunk.
  const offset = chunks[0] !== undefined && chunks[0].length > 0 && chunks[0][0] === tokenizer.bosId ? 1 : 0;
  if (offset === 1) ids.push(tokenizer.bosId);
  chunks.forEach((chunk, i) => {
    if (i > 0) ids.push(IMAGE_TOKEN_INDEX);
    for (let k = offset; k < chunk.length; k++) ids.push(chunk[k]!);
  });
  return ids;
}
