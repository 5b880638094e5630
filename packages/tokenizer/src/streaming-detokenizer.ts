/**
 * Incremental decoding for generation: feed ids one at a time and get back only text made of
 * complete characters. A multi-byte character spelled as `<0xNN>` pieces is held until its last
 * byte arrives (or is known to be invalid). The concatenation of everything returned equals
 * sentencepiece's `DecodeIds` of the same ids. It keeps no list of ids, so each step costs O(1).
 */
import { PieceType } from './sentencepiece-model.js';
import { bytePieceValue, checkTokenId, pieceSurface } from './sentencepiece-decode.js';
import { decodeUtf8Char, decodeUtf8Run, REPLACEMENT_CHARACTER, utf8ExpectedLength } from './sentencepiece-utf8.js';
import type { LlamaTokenizer } from './llama-tokenizer.js';

/** Options of {@link StreamingDetokenizer}. */
export interface StreamingDetokenizerOptions {
  /** Drop BOS/EOS/UNK/PAD ids, as EVE does when it prints an answer (default true). */
  readonly skipSpecialTokens?: boolean;
}

/** Turns a stream of ids into a stream of complete characters. */
export class StreamingDetokenizer {
  private pending: number[] = [];
  private isAtStart = true;
  private readonly skipSpecialTokens: boolean;
  private emitted = '';

  constructor(
    private readonly tokenizer: LlamaTokenizer,
    options: StreamingDetokenizerOptions = {},
  ) {
    this.skipSpecialTokens = options.skipSpecialTokens ?? true;
  }

  /** Everything returned so far. */
  get text(): string {
    return this.emitted;
  }

  /**
   * Adds one id; returns the text that became complete (often '', or several characters).
   *
   * @throws EveError for an id outside the vocabulary
   * @example
   * const s = new StreamingDetokenizer(tok);
   * [243, 162, 169, 156].map((id) => s.push(id)); // ['', '', '', '🦙']
   */
  push(id: number): string {
    const model = this.tokenizer.model;
    checkTokenId(model, id);
    if (this.skipSpecialTokens && this.tokenizer.isSpecialId(id)) return '';
    const type = model.types[id];
    let out: string;
    if (type === PieceType.byte) {
      this.pending.push(bytePieceValue(model.pieces[id]!));
      this.isAtStart = false;
      out = this.drainComplete();
    } else {
      out = this.flushPending() + pieceSurface(model, id, this.isAtStart);
      if (type !== PieceType.control) this.isAtStart = false;
    }
    this.emitted += out;
    return out;
  }

  /** Ends the stream: bytes of an unfinished character come out as U+FFFD each. */
  flush(): string {
    const out = this.flushPending();
    this.emitted += out;
    return out;
  }

  private flushPending(): string {
    if (this.pending.length === 0) return '';
    const out = decodeUtf8Run(this.pending);
    this.pending = [];
    return out;
  }

  /** Emits the characters at the front of `pending` whose fate is already decided. */
  private drainComplete(): string {
    const p = this.pending;
    let out = '';
    let i = 0;
    while (i < p.length) {
      const need = utf8ExpectedLength(p[i]!);
      const have = p.length - i;
      let isBroken = false;
      for (let k = 1; k < Math.min(need, have); k++) if ((p[i + k]! & 0xc0) !== 0x80) isBroken = true;
      if (isBroken) {
        out += REPLACEMENT_CHARACTER;
        i += 1;
        continue;
      }
      if (have < need) break; // wait for the rest of this character
      const { codePoint, length } = decodeUtf8Char(p, i);
      out += codePoint < 0 ? REPLACEMENT_CHARACTER : String.fromCodePoint(codePoint);
      i += length;
    }
    if (i > 0) this.pending = p.slice(i);
    return out;
  }
}
