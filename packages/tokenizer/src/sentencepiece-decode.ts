/**
 * sentencepiece's `DecodeIds`: control pieces are invisible, `<unk>` shows its surface (` ⁇ `),
 * runs of `<0xNN>` byte pieces are joined and decoded as UTF-8 (invalid bytes become U+FFFD one
 * by one), `▁` becomes a space, and the first piece that is not a control piece loses one leading
 * `▁` (the dummy prefix; python3-sentencepiece 0.1.97 gives `[29871, 15043]` → " Hello" and
 * `[1, 15043]` → "Hello"). Hugging Face's special-token rendering is in
 * `LlamaTokenizer.decode`; incremental decoding is `StreamingDetokenizer`.
 */
import { EveError } from '@evejs/tensor';
import { PieceType, type SentencePieceModel } from './sentencepiece-model.js';
import { SPACE_SYMBOL } from './sentencepiece-bpe.js';
import { decodeUtf8Run } from './sentencepiece-utf8.js';

/** Throws unless `id` is an integer id of the vocabulary. */
export function checkTokenId(model: SentencePieceModel, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= model.pieces.length) {
    throw new EveError(`token id ${id} is out of range (the vocabulary has ids 0..${model.pieces.length - 1})`);
  }
}

/** The byte value of a `<0xNN>` piece. */
export function bytePieceValue(piece: string): number {
  return Number.parseInt(piece.slice(3, 5), 16);
}

/**
 * The text of one non-byte piece as sentencepiece writes it.
 *
 * @param isAtStart whether no non-control piece came before (strips the dummy-prefix `▁`)
 */
export function pieceSurface(model: SentencePieceModel, id: number, isAtStart: boolean): string {
  const type = model.types[id];
  if (type === PieceType.control) return '';
  if (type === PieceType.unknown) return model.trainerSpec.unkSurface;
  let piece = model.pieces[id]!;
  if (isAtStart && model.normalizerSpec.addDummyPrefix && piece.startsWith(SPACE_SYMBOL)) piece = piece.slice(1);
  return piece.replaceAll(SPACE_SYMBOL, ' ');
}

/**
 * Decodes ids to text exactly as sentencepiece's `DecodeIds`.
 *
 * @throws EveError for an id outside the vocabulary
 * @example
 * decodeSentencePiece(model, [1, 15043, 3186]); // 'Hello world'
 */
export function decodeSentencePiece(model: SentencePieceModel, ids: readonly number[]): string {
  let text = '';
  let bytes: number[] = [];
  let isAtStart = true;
  for (const id of ids) {
    checkTokenId(model, id);
    const type = model.types[id];
    if (type === PieceType.byte) {
      bytes.push(bytePieceValue(model.pieces[id]!));
      isAtStart = false;
      continue;
    }
    if (bytes.length > 0) {
      text += decodeUtf8Run(bytes);
      bytes = [];
    }
    text += pieceSurface(model, id, isAtStart);
    if (type !== PieceType.control) isAtStart = false;
  }
  if (bytes.length > 0) text += decodeUtf8Run(bytes);
  return text;
}
