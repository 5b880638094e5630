/**
 * Reads Hugging Face's `tokenizer_config.json` and `special_tokens_map.json` into the settings a
 * slow `LlamaTokenizer` (transformers 4.31) acts on: which strings are special tokens and whether
 * they eat surrounding whitespace, add_bos/add_eos, `legacy`, extra added tokens. It does not
 * read files (see `loadTokenizer`) and ignores settings that do not change ids or text.
 */
import { FormatError } from '@evejs/tensor';

/** A special or added token and how 4.31's `tokenize` treats whitespace next to it. */
export interface SpecialToken {
  readonly content: string;
  /** Strip whitespace on its left (the end of the previous text segment). */
  readonly lstrip: boolean;
  /** Strip whitespace on its right (the start of the next text segment). */
  readonly rstrip: boolean;
}

/** An added token with its own id (possibly beyond the SentencePiece vocabulary). */
export interface AddedToken extends SpecialToken {
  readonly id: number;
  readonly special: boolean;
}

/** The settings of a Llama tokenizer directory. */
export interface LlamaTokenizerConfig {
  readonly addBosToken: boolean;
  readonly addEosToken: boolean;
  /** transformers 4.31 reads a config without `legacy` as `legacy: true`. */
  readonly legacy: boolean;
  readonly bosToken: SpecialToken | null;
  readonly eosToken: SpecialToken | null;
  readonly unkToken: SpecialToken | null;
  readonly padToken: SpecialToken | null;
  readonly addedTokens: readonly AddedToken[];
  readonly cleanUpTokenizationSpaces: boolean;
  readonly modelMaxLength: number | null;
}

/** What 4.31 would use for a Llama checkpoint with no config files at all. */
export const DEFAULT_LLAMA_TOKENIZER_CONFIG: LlamaTokenizerConfig = {
  addBosToken: true,
  addEosToken: false,
  legacy: true,
  bosToken: { content: '<s>', lstrip: false, rstrip: false },
  eosToken: { content: '</s>', lstrip: false, rstrip: false },
  unkToken: { content: '<unk>', lstrip: false, rstrip: false },
  padToken: null,
  addedTokens: [],
  cleanUpTokenizationSpaces: false,
  modelMaxLength: null,
};

type Json = Record<string, unknown>;

function asToken(value: unknown, fromSpecialTokensMap: boolean, file: string, key: string): SpecialToken | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'string') {
    // LlamaTokenizer.__init__ wraps strings as AddedToken(lstrip=False, rstrip=False), but
    // special_tokens_map.json is applied afterwards with setattr, and 4.31's tokenize() strips
    // both sides of a special token that is a plain string.
    return { content: value, lstrip: fromSpecialTokensMap, rstrip: fromSpecialTokensMap };
  }
  if (typeof value === 'object' && typeof (value as Json).content === 'string') {
    const v = value as Json;
    return { content: v.content as string, lstrip: v.lstrip === true, rstrip: v.rstrip === true };
  }
  throw new FormatError(file, `"${key}" is neither a string nor an AddedToken object`);
}

/**
 * Combines the two config files as transformers 4.31's `from_pretrained` does
 * (special_tokens_map.json wins over tokenizer_config.json).
 *
 * @param tokenizerConfig parsed tokenizer_config.json, or undefined when absent
 * @param specialTokensMap parsed special_tokens_map.json, or undefined when absent
 */
export function parseLlamaTokenizerConfig(tokenizerConfig?: unknown, specialTokensMap?: unknown): LlamaTokenizerConfig {
  const tc = (tokenizerConfig ?? {}) as Json;
  const sm = (specialTokensMap ?? {}) as Json;
  if (typeof tc !== 'object' || Array.isArray(tc)) throw new FormatError('tokenizer_config.json', 'not a JSON object');
  if (typeof sm !== 'object' || Array.isArray(sm)) throw new FormatError('special_tokens_map.json', 'not a JSON object');
  const d = DEFAULT_LLAMA_TOKENIZER_CONFIG;
  const pick = (key: string, fallback: SpecialToken | null): SpecialToken | null => {
    const fromMap = asToken(sm[key], true, 'special_tokens_map.json', key);
    if (fromMap !== undefined) return fromMap;
    const fromConfig = asToken(tc[key], false, 'tokenizer_config.json', key);
    return fromConfig !== undefined ? fromConfig : fallback;
  };
  const addedTokens: AddedToken[] = [];
  const decoder = tc.added_tokens_decoder;
  if (decoder && typeof decoder === 'object') {
    for (const [id, value] of Object.entries(decoder as Json)) {
      const t = asToken(value, false, 'tokenizer_config.json', `added_tokens_decoder.${id}`);
      if (t) addedTokens.push({ ...t, id: Number(id), special: (value as Json).special === true });
    }
  }
  const bool = (key: string, fallback: boolean): boolean => (typeof tc[key] === 'boolean' ? (tc[key] as boolean) : fallback);
  return {
    addBosToken: bool('add_bos_token', d.addBosToken),
    addEosToken: bool('add_eos_token', d.addEosToken),
    legacy: bool('legacy', true),
    bosToken: pick('bos_token', d.bosToken),
    eosToken: pick('eos_token', d.eosToken),
    unkToken: pick('unk_token', d.unkToken),
    padToken: pick('pad_token', d.padToken),
    addedTokens,
    cleanUpTokenizationSpaces: bool('clean_up_tokenization_spaces', false),
    modelMaxLength: typeof tc.model_max_length === 'number' && tc.model_max_length < 1e12 ? tc.model_max_length : null,
  };
}
