/**
 * SentencePiece's BPE encoder (`bpe_model.cc` + the identity normaliser + byte fallback of
 * `sentencepiece_processor.cc`), reimplemented so that ids are identical: the text is normalised
 * (dummy-prefix `▁`, spaces to `▁`), split into characters (user-defined pieces kept whole), then
 * the adjacent pair whose concatenation is the best-scoring piece is merged repeatedly, driven by a
 * priority queue with lazy invalidation (O(n log n), no rescans). Characters that end up outside
 * the vocabulary become `<0xNN>` byte pieces, or `<unk>` without byte fallback.
 *
 * It knows nothing of BOS/EOS or of special-token strings in the text: that is `LlamaTokenizer`.
 */
import { FormatError } from '@evejs/tensor';
import { MergeQueue } from './merge-queue.js';
import { PieceType, type SentencePieceModel } from './sentencepiece-model.js';

/** U+2581, SentencePiece's visible space. */
export const SPACE_SYMBOL = '\u2581';

const utf8 = new TextEncoder();
const MAX_MEMO_SIZE = 1 << 20;

/** A BPE encoder over one {@link SentencePieceModel}. */
export class SentencePieceBpe {
  /** Ids of the pieces merges may produce (NORMAL, USER_DEFINED, UNUSED): `pieces_` in sentencepiece. */
  private readonly pieceIds = new Map<string, number>();
  /** Ids of every piece, the reserved ones (control, unknown, byte) included. */
  private readonly allIds = new Map<string, number>();
  /**
   * Memo of merge lookups: leftId * vocabSize + rightId -> merged id, or -1 for none. Filled
   * lazily (building all ~200k pairs up front costs more than most texts need).
   */
  private readonly pairs = new Map<number, number>();
  /** Id of each single code point that is a piece of `pieceIds` (BMP in a table, the rest in a map). */
  private readonly bmpCharIds = new Int32Array(0x10000).fill(-1);
  private readonly astralCharIds = new Map<number, number>();
  /** Per-symbol scratch arrays, reused across calls and grown on demand. */
  private scratch = { start: new Int32Array(0), end: new Int32Array(0), ids: new Int32Array(0), prev: new Int32Array(0), next: new Int32Array(0), frozen: new Uint8Array(0) };
  /** Byte-fallback piece id of each byte value, or -1. */
  private readonly byteIds = new Int32Array(256).fill(-1);
  /** User-defined pieces by first UTF-16 unit, longest first (matched whole, never merged). */
  private readonly userDefined = new Map<number, string[]>();
  private readonly vocabSize: number;
  private readonly queue = new MergeQueue();

  constructor(readonly model: SentencePieceModel, fileName = 'tokenizer.model') {
    const { pieces, types, trainerSpec, normalizerSpec } = model;
    if (trainerSpec.modelType !== 2) {
      throw new FormatError(fileName, `model_type ${trainerSpec.modelType} is not supported (only BPE = 2)`);
    }
    if (normalizerSpec.precompiledCharsmapByteLength > 0) {
      throw new FormatError(fileName, `normalizer "${normalizerSpec.name}" with a precompiled charsmap is not supported`);
    }
    if (trainerSpec.treatWhitespaceAsSuffix) {
      throw new FormatError(fileName, 'treat_whitespace_as_suffix is not supported');
    }
    const unk = types[trainerSpec.unkId];
    if (unk !== PieceType.unknown) throw new FormatError(fileName, `unk_id ${trainerSpec.unkId} is not an UNKNOWN piece`);
    this.vocabSize = pieces.length;
    pieces.forEach((piece, id) => {
      const type = types[id]!;
      this.allIds.set(piece, id);
      if (type === PieceType.normal || type === PieceType.userDefined || type === PieceType.unused) {
        this.pieceIds.set(piece, id);
        const cp = piece.codePointAt(0)!;
        if (piece.length === 1) this.bmpCharIds[cp] = id;
        else if (piece.length === 2 && cp > 0xffff) this.astralCharIds.set(cp, id);
      }
      if (type === PieceType.userDefined) {
        const list = this.userDefined.get(piece.charCodeAt(0)) ?? [];
        list.push(piece);
        list.sort((a, b) => b.length - a.length);
        this.userDefined.set(piece.charCodeAt(0), list);
      }
      if (type === PieceType.byte) {
        const m = /^<0x([0-9A-F]{2})>$/.exec(piece);
        if (!m) throw new FormatError(fileName, `byte piece ${JSON.stringify(piece)} (id ${id}) is not <0xNN>`);
        this.byteIds[Number.parseInt(m[1]!, 16)] = id;
      }
    });
    if (trainerSpec.byteFallback && this.byteIds.includes(-1)) {
      throw new FormatError(fileName, 'byte_fallback is set but some <0xNN> pieces are missing');
    }
  }

  /** sentencepiece's `PieceToId`: the piece's id, or the unknown id. */
  pieceToId(piece: string): number {
    return this.allIds.get(piece) ?? this.model.trainerSpec.unkId;
  }

  /** The normalised string that is segmented (identity normaliser; empty text stays empty). */
  normalize(text: string): string {
    const spec = this.model.normalizerSpec;
    let s = text;
    if (spec.removeExtraWhitespaces) s = s.replace(/ +/g, ' ').replace(/^ | $/g, '');
    if (s.length === 0) return '';
    if (spec.escapeWhitespaces) s = s.replaceAll(' ', SPACE_SYMBOL);
    if (spec.addDummyPrefix) s = (spec.escapeWhitespaces ? SPACE_SYMBOL : ' ') + s;
    return s;
  }

  /**
   * Encodes `text` as sentencepiece's `EncodeAsIds` does (no BOS/EOS).
   *
   * @example
   * bpe.encode('Hello world'); // [15043, 3186]
   */
  encode(text: string): number[] {
    const out: number[] = [];
    this.encodeInto(text, out);
    return out;
  }

  /** Like {@link encode}, appending to `out`. */
  encodeInto(text: string, out: number[]): void {
    const s = this.normalize(text);
    const n = s.length;
    if (n === 0) return;
    // Symbols: [start, end) in UTF-16 units of `s`, piece id (-1 if not a piece), links.
    if (this.scratch.start.length < n) {
      const size = Math.max(n, 2 * this.scratch.start.length);
      this.scratch = { start: new Int32Array(size), end: new Int32Array(size), ids: new Int32Array(size), prev: new Int32Array(size), next: new Int32Array(size), frozen: new Uint8Array(size) };
    }
    const { start, end, ids, prev, next, frozen } = this.scratch;
    let count = 0;
    for (let i = 0; i < n; ) {
      let len = 1;
      let id = -1;
      const ud = this.userDefined.size > 0 ? this.userDefined.get(s.charCodeAt(i)) : undefined;
      const match = ud?.find((p) => s.startsWith(p, i));
      frozen[count] = 0;
      if (match !== undefined) {
        len = match.length;
        id = this.pieceIds.get(match)!;
        frozen[count] = 1;
      } else {
        const c = s.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
          const cp = s.codePointAt(i)!;
          len = cp > 0xffff ? 2 : 1;
          id = len === 2 ? (this.astralCharIds.get(cp) ?? -1) : this.bmpCharIds[c]!;
        } else {
          id = this.bmpCharIds[c]!;
        }
      }
      start[count] = i;
      end[count] = i + len;
      ids[count] = id;
      prev[count] = count - 1;
      next[count] = i + len < n ? count + 1 : -1;
      count++;
      i += len;
    }

    const queue = this.queue;
    queue.clear();
    const scores = this.model.scores;
    const addPair = (left: number, right: number): void => {
      if (left < 0 || right < 0 || frozen[left] || frozen[right]) return;
      let merged: number | undefined;
      const l = ids[left]!;
      const r = ids[right]!;
      if (l >= 0 && r >= 0) {
        const key = l * this.vocabSize + r;
        merged = this.pairs.get(key);
        if (merged === undefined) {
          merged = this.pieceIds.get(s.slice(start[left]!, end[right]!)) ?? -1;
          if (this.pairs.size >= MAX_MEMO_SIZE) this.pairs.clear();
          this.pairs.set(key, merged);
        }
        if (merged < 0) return;
      } else {
        merged = this.pieceIds.get(s.slice(start[left]!, end[right]!));
        if (merged === undefined) return;
      }
      queue.push(scores[merged]!, left, right, end[right]! - start[left]!);
    };
    for (let i = 1; i < count; i++) addPair(i - 1, i);

    while (queue.size > 0) {
      const left = queue.topLeft;
      const right = queue.topRight;
      const size = queue.topSize;
      queue.pop();
      const lLen = end[left]! - start[left]!;
      const rLen = end[right]! - start[right]!;
      // Stale candidate: one side was consumed or has grown since it was queued.
      if (lLen === 0 || rLen === 0 || lLen + rLen !== size) continue;
      const l = ids[left]!;
      const r = ids[right]!;
      ids[left] = l >= 0 && r >= 0
        ? this.pairs.get(l * this.vocabSize + r)!
        : this.pieceIds.get(s.slice(start[left]!, end[right]!))!;
      end[left] = end[right]!;
      next[left] = next[right]!;
      if (next[right]! >= 0) prev[next[right]!] = left;
      end[right] = start[right]!; // empty: consumed
      addPair(prev[left]!, left);
      addPair(left, next[left]!);
    }

    const { types, trainerSpec } = this.model;
    for (let i = 0; count > 0 && i !== -1; i = next[i]!) {
      const id = ids[i]!;
      if (id >= 0 && types[id] === PieceType.unused) {
        this.resegment(s.slice(start[i]!, end[i]!), out);
      } else if (id >= 0) {
        out.push(id);
      } else {
        // Not a piece: a character outside the vocabulary.
        const piece = s.slice(start[i]!, end[i]!);
        if (trainerSpec.byteFallback) {
          for (const b of utf8.encode(piece)) out.push(this.byteIds[b]!);
        } else {
          out.push(trainerSpec.unkId);
        }
      }
    }
  }

  /**
   * Splits an UNUSED piece back into pieces (sentencepiece's `rev_merge`). sentencepiece remembers
   * the split it actually merged; this takes the first valid split. Llama has no UNUSED pieces.
   */
  private resegment(piece: string, out: number[]): void {
    const id = this.pieceIds.get(piece);
    if (id === undefined || this.model.types[id] !== PieceType.unused) {
      out.push(id ?? this.model.trainerSpec.unkId);
      return;
    }
    for (let i = 1; i < piece.length; i++) {
      const l = piece.slice(0, i);
      const r = piece.slice(i);
      if (this.pieceIds.has(l) && this.pieceIds.has(r)) {
        this.resegment(l, out);
        this.resegment(r, out);
        return;
      }
    }
    out.push(id);
  }
}
