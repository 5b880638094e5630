/**
 * Turns a Hugging Face `tokenizer.json` of the Llama kind (BPE model with byte fallback, `▁`
 * normaliser) into a {@link SentencePieceModel}, so the same encoder runs on checkpoints that
 * ship no `tokenizer.model`. Merge ranks become piece scores (a piece scores minus the rank of the
 * first merge that makes it), which is how HF's converter derived the ranks from the scores.
 * Other tokenizer.json kinds (byte-level BPE, WordPiece, Unigram) are rejected.
 */
import { FormatError } from '@evejs/tensor';
import { PieceType, type SentencePieceModel } from './sentencepiece-model.js';
import type { AddedToken } from './tokenizer-config.js';

type Json = Record<string, unknown>;

/** A tokenizer.json read as a SentencePiece model, plus its added tokens. */
export interface HfTokenizerJson {
  readonly model: SentencePieceModel;
  readonly addedTokens: readonly AddedToken[];
}

function hasDummyPrefix(json: Json): boolean {
  const text = JSON.stringify([json.normalizer ?? null, json.pre_tokenizer ?? null]);
  // Prepend("▁") normaliser (Llama, tokenizers ≥ 0.14) or a Metaspace pre-tokenizer that adds it.
  return /"Prepend","prepend":"▁"/.test(text) || /"add_prefix_space":true/.test(text) || /"prepend_scheme":"(always|first)"/.test(text);
}

/**
 * Parses the text of a tokenizer.json.
 *
 * @throws FormatError when it is not JSON or not a byte-fallback BPE model
 */
export function parseHfTokenizerJson(text: string, fileName = 'tokenizer.json'): HfTokenizerJson {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (err) {
    throw new FormatError(fileName, `not JSON (${(err as Error).message})`);
  }
  const m = json.model as Json | undefined;
  if (!m || m.type !== 'BPE' || typeof m.vocab !== 'object' || !Array.isArray(m.merges)) {
    throw new FormatError(fileName, 'not a BPE tokenizer (model.type, model.vocab, model.merges)');
  }
  const vocab = m.vocab as Record<string, number>;
  const size = Object.keys(vocab).length;
  const pieces: string[] = new Array<string>(size);
  for (const [piece, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0 || id >= size || pieces[id] !== undefined) {
      throw new FormatError(fileName, `vocabulary ids are not 0..${size - 1} (piece ${JSON.stringify(piece)} has ${id})`);
    }
    pieces[id] = piece;
  }
  const addedTokens: AddedToken[] = [];
  for (const t of (json.added_tokens as Json[] | undefined) ?? []) {
    addedTokens.push({
      id: t.id as number,
      content: t.content as string,
      lstrip: t.lstrip === true,
      rstrip: t.rstrip === true,
      special: t.special === true,
    });
  }
  const types = new Uint8Array(size).fill(PieceType.normal);
  const byteFallback = m.byte_fallback === true;
  pieces.forEach((p, id) => {
    if (byteFallback && /^<0x[0-9A-F]{2}>$/.test(p)) types[id] = PieceType.byte;
  });
  const unkPiece = typeof m.unk_token === 'string' ? m.unk_token : '<unk>';
  for (const t of addedTokens) if (t.special && t.id < size) types[t.id] = t.content === unkPiece ? PieceType.unknown : PieceType.control;
  const unkId = vocab[unkPiece];
  if (unkId === undefined) throw new FormatError(fileName, `unk_token ${JSON.stringify(unkPiece)} is not in the vocabulary`);
  types[unkId] = PieceType.unknown;

  const scores = new Float32Array(size);
  const scored = new Uint8Array(size);
  (m.merges as unknown[]).forEach((merge, rank) => {
    const [a, b] = Array.isArray(merge) ? (merge as string[]) : String(merge).split(' ');
    const id = vocab[`${a}${b}`];
    if (id === undefined) throw new FormatError(fileName, `merge ${rank} (${JSON.stringify(merge)}) makes no vocabulary piece`);
    if (!scored[id]) {
      scores[id] = -rank;
      scored[id] = 1;
    }
  });
  const idOf = (piece: string, fallback: number) => vocab[piece] ?? fallback;
  return {
    model: {
      pieces,
      scores,
      types,
      trainerSpec: {
        modelType: 2,
        vocabSize: size,
        byteFallback,
        splitDigits: false,
        treatWhitespaceAsSuffix: false,
        unkId,
        bosId: idOf('<s>', -1),
        eosId: idOf('</s>', -1),
        padId: -1,
        unkSurface: ' \u2047 ',
        unkPiece,
        bosPiece: '<s>',
        eosPiece: '</s>',
        padPiece: '<pad>',
      },
      normalizerSpec: {
        name: 'identity',
        precompiledCharsmapByteLength: 0,
        addDummyPrefix: hasDummyPrefix(json),
        removeExtraWhitespaces: false,
        escapeWhitespaces: true,
      },
    },
    addedTokens,
  };
}
