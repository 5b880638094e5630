/**
 * The Llama tokenizer as EVE runs it: transformers 4.31's slow `LlamaTokenizer` over a
 * SentencePiece BPE model. It adds BOS/EOS, recognises special-token strings written in the text
 * (`<s>`, `</s>`, `<unk>`, added tokens) and, with `legacy: false`, reproduces 4.31's handling of
 * the text that follows one (EVE-SPEC §2.4: `</s>USER:` → 2, 3308, 1001, 29901). Modes `legacy`
 * and `sentencepiece` give the legacy behaviour and plain SentencePiece. Loading files from disk
 * is `loadTokenizer`; prompts and labels are in `conversation.ts` and `preprocess.ts`.
 */
import { EveError } from '@evejs/tensor';
import { pyLstrip, pyRstrip } from './python-strip.js';
import { SentencePieceBpe, SPACE_SYMBOL } from './sentencepiece-bpe.js';
import { checkTokenId, decodeSentencePiece } from './sentencepiece-decode.js';
import type { SentencePieceModel } from './sentencepiece-model.js';
import { DEFAULT_LLAMA_TOKENIZER_CONFIG, type LlamaTokenizerConfig, type SpecialToken } from './tokenizer-config.js';

/**
 * How special-token strings in the text are treated.
 * - `hf`: transformers 4.31 slow tokenizer with `legacy: false` (EVE's checkpoints);
 * - `hf-legacy`: the same with `legacy: true` (each text segment encoded as a fresh string);
 * - `sentencepiece`: no special-token parsing, the text goes to SentencePiece as it is.
 */
export type EncodeMode = 'hf' | 'hf-legacy' | 'sentencepiece';

/** Options of {@link LlamaTokenizer.encode}. */
export interface EncodeOptions {
  /** Prepend BOS (default: the config's `add_bos_token`). */
  readonly addBos?: boolean;
  /** Append EOS (default: the config's `add_eos_token`). */
  readonly addEos?: boolean;
  /** Default: `hf`, or `hf-legacy` when the config says `legacy: true` (or says nothing). */
  readonly mode?: EncodeMode;
}

/** Options of {@link LlamaTokenizer.decode}. */
export interface DecodeOptions {
  /** Drop BOS/EOS/UNK/PAD ids (Hugging Face `skip_special_tokens`, EVE's inference setting). */
  readonly skipSpecialTokens?: boolean;
  /**
   * `hf` (default): 4.31's `decode`, which writes special tokens as their strings (with its
   * quirk of a space before a special token that follows text). `sentencepiece`: `DecodeIds`,
   * where control tokens are invisible and `<unk>` reads ` ⁇ `.
   */
  readonly mode?: 'hf' | 'sentencepiece';
}

interface TextSegment {
  text: string;
  id: number | null;
}

/** A Llama tokenizer (SentencePiece model + Hugging Face config). */
export class LlamaTokenizer {
  readonly bpe: SentencePieceBpe;
  readonly config: LlamaTokenizerConfig;
  /** Special and added token strings, longest first, with their ids and strip flags. */
  private readonly specials: { token: SpecialToken; id: number }[] = [];
  private readonly specialFirstUnits: Set<number>;
  private readonly specialIds = new Set<number>();
  private readonly addedById = new Map<number, string>();

  constructor(model: SentencePieceModel, config: LlamaTokenizerConfig = DEFAULT_LLAMA_TOKENIZER_CONFIG, fileName?: string) {
    this.bpe = new SentencePieceBpe(model, fileName);
    this.config = config;
    const byContent = new Map<string, { token: SpecialToken; id: number }>();
    const add = (token: SpecialToken | null, id: number | undefined, isSpecial: boolean) => {
      if (!token || token.content === '') return;
      const resolved = id ?? model.pieces.indexOf(token.content);
      if (resolved < 0) return; // not in the vocabulary: 4.31 would add it; Llama never needs it
      if (isSpecial) this.specialIds.add(resolved);
      const before = byContent.get(token.content);
      // A token that is an AddedToken somewhere wins over a plain string (which strips both sides).
      if (!before || (before.token.lstrip && before.token.rstrip)) byContent.set(token.content, { token, id: resolved });
    };
    for (const t of [config.bosToken, config.eosToken, config.unkToken, config.padToken]) add(t, undefined, true);
    for (const t of config.addedTokens) {
      if (t.id >= model.pieces.length) this.addedById.set(t.id, t.content);
      add(t, t.id, t.special);
    }
    this.specials = [...byContent.values()].sort((a, b) => b.token.content.length - a.token.content.length);
    this.specialFirstUnits = new Set(this.specials.map((s) => s.token.content.charCodeAt(0)));
  }

  /** The SentencePiece model. */
  get model(): SentencePieceModel {
    return this.bpe.model;
  }

  /** Number of ids (vocabulary plus added tokens beyond it). */
  get vocabSize(): number {
    return Math.max(this.model.pieces.length, ...[...this.addedById.keys()].map((id) => id + 1));
  }

  get bosId(): number {
    return this.model.trainerSpec.bosId;
  }

  get eosId(): number {
    return this.model.trainerSpec.eosId;
  }

  get unkId(): number {
    return this.model.trainerSpec.unkId;
  }

  /** The pad id: the pad token's id if the config names one, else null (EVE training pads with `<unk>` = 0). */
  get padId(): number | null {
    const pad = this.config.padToken;
    return pad ? this.tokenToId(pad.content) : null;
  }

  /** Whether `id` is BOS, EOS, UNK, PAD or a special added token (what `skipSpecialTokens` drops). */
  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** The id of a piece or added token string (the unknown id when absent, like sentencepiece). */
  tokenToId(token: string): number {
    for (const [id, content] of this.addedById) if (content === token) return id;
    return this.bpe.pieceToId(token);
  }

  /** The piece or added-token string of an id. */
  idToToken(id: number): string {
    const added = this.addedById.get(id);
    if (added !== undefined) return added;
    checkTokenId(this.model, id);
    return this.model.pieces[id]!;
  }

  /** The mode `encode` uses by default (from the config's `legacy`). */
  get defaultMode(): EncodeMode {
    return this.config.legacy ? 'hf-legacy' : 'hf';
  }

  /**
   * Encodes text to ids as `tokenizer(text).input_ids` does in transformers 4.31 (slow tokenizer).
   *
   * @example
   * tok.encode('Hello world'); // [1, 15043, 3186]
   * tok.encode('</s>USER:', { addBos: false }); // [2, 3308, 1001, 29901]
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const mode = options.mode ?? this.defaultMode;
    const ids: number[] = [];
    if ((options.addBos ?? this.config.addBosToken) && this.bosId >= 0) ids.push(this.bosId);
    if (mode === 'sentencepiece') {
      this.bpe.encodeInto(text, ids);
    } else {
      const isLegacy = mode === 'hf-legacy';
      const input = isLegacy ? text : SPACE_SYMBOL + text.replaceAll(SPACE_SYMBOL, ' ');
      for (const seg of this.splitOnSpecialTokens(input)) {
        if (seg.id !== null) ids.push(seg.id);
        else if (isLegacy) this.bpe.encodeInto(seg.text, ids);
        else this.encodeSegmentNonLegacy(seg.text, ids);
      }
    }
    if ((options.addEos ?? this.config.addEosToken) && this.eosId >= 0) ids.push(this.eosId);
    return ids;
  }

  /** 4.31 `LlamaTokenizer._tokenize` with `legacy: false`, then `convert_tokens_to_ids`. */
  private encodeSegmentNonLegacy(segment: string, out: number[]): void {
    const isFirst = segment.startsWith(SPACE_SYMBOL);
    const text = isFirst ? segment.slice(1) : segment;
    const start = out.length;
    this.bpe.encodeInto(text, out);
    if (isFirst || text.startsWith(' ') || out.length === start) return;
    const first = this.model.pieces[out[start]!]!;
    if (!first.startsWith(SPACE_SYMBOL)) return;
    // The first piece loses its `▁` and the rest is looked up as a piece as it is (not re-encoded).
    if (first.length > 1) out[start] = this.bpe.pieceToId(first.slice(1));
    else out.splice(start, 1);
  }

  /**
   * 4.31 `tokenize`'s split on special tokens (`tokens_trie.split`), with the whitespace each
   * token's lstrip/rstrip removes next to it; empty text segments are dropped.
   */
  private splitOnSpecialTokens(text: string): TextSegment[] {
    const parts: TextSegment[] = [];
    const strips: SpecialToken[] = [];
    let last = 0;
    if (this.specials.length > 0) {
      for (let i = 0; i < text.length; ) {
        const hit = this.specialFirstUnits.has(text.charCodeAt(i))
          ? this.specials.find((s) => text.startsWith(s.token.content, i))
          : undefined;
        if (!hit) {
          i++;
          continue;
        }
        parts.push({ text: text.slice(last, i), id: null });
        parts.push({ text: hit.token.content, id: hit.id });
        strips.push(hit.token);
        i += hit.token.content.length;
        last = i;
      }
    }
    parts.push({ text: text.slice(last), id: null });
    // Apply lstrip/rstrip around each special token (parts alternate text, special, text, ...).
    for (let k = 1, s = 0; k < parts.length; k += 2, s++) {
      const token = strips[s]!;
      if (token.rstrip) parts[k + 1]!.text = pyLstrip(parts[k + 1]!.text);
      if (token.lstrip) parts[k - 1]!.text = pyRstrip(parts[k - 1]!.text);
    }
    return parts.filter((p) => p.id !== null || p.text.length > 0);
  }

  /**
   * Decodes ids to text.
   *
   * @throws EveError for an id outside the vocabulary
   * @example
   * tok.decode([1, 15043, 3186], { skipSpecialTokens: true }); // 'Hello world'
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const kept: number[] = [];
    for (const id of ids) {
      if (!this.addedById.has(id)) checkTokenId(this.model, id);
      if (!(skip && this.specialIds.has(id))) kept.push(id);
    }
    if (options.mode === 'sentencepiece') {
      if (kept.some((id) => this.addedById.has(id))) throw new EveError('added tokens have no SentencePiece piece');
      return decodeSentencePiece(this.model, kept);
    }
    // 4.31 PreTrainedTokenizer._decode: added tokens beyond the vocabulary are joined with " ".
    const texts: string[] = [];
    let run: number[] = [];
    for (const id of kept) {
      const added = this.addedById.get(id);
      if (added === undefined) {
        run.push(id);
        continue;
      }
      if (run.length > 0) texts.push(this.convertTokensToString(run));
      run = [];
      texts.push(added);
    }
    if (run.length > 0) texts.push(this.convertTokensToString(run));
    const text = texts.join(' ');
    return this.config.cleanUpTokenizationSpaces ? cleanUpTokenizationSpaces(text) : text;
  }

  /** 4.31 `LlamaTokenizer.convert_tokens_to_string`. */
  private convertTokensToString(ids: readonly number[]): string {
    let out = '';
    let sub: number[] = [];
    let prevIsSpecial = false;
    ids.forEach((id, i) => {
      if (this.specialIds.has(id)) {
        if (!prevIsSpecial && i !== 0) out += ' ';
        out += decodeSentencePiece(this.model, sub) + this.model.pieces[id]!;
        prevIsSpecial = true;
        sub = [];
      } else {
        sub.push(id);
        prevIsSpecial = false;
      }
    });
    return out + decodeSentencePiece(this.model, sub);
  }
}

/** transformers' `clean_up_tokenization` (only used when the config asks for it). */
export function cleanUpTokenizationSpaces(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}
