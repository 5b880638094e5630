/**
 * Vicuna-7B-v1.5's two tokenizer config files, which EVE's checkpoints ship (files of the same
 * sizes); the Llama-2 fixture and the built-in model's tokenizer (tools/builtin-model) both write
 * them.
 */
/** Vicuna-7B-v1.5's tokenizer_config.json (EVE ships a file of the same size). */
export const VICUNA_TOKENIZER_CONFIG = {
  add_bos_token: true,
  add_eos_token: false,
  bos_token: { __type: 'AddedToken', content: '<s>', lstrip: false, normalized: false, rstrip: false, single_word: false },
  clean_up_tokenization_spaces: false,
  eos_token: { __type: 'AddedToken', content: '</s>', lstrip: false, normalized: false, rstrip: false, single_word: false },
  legacy: false,
  model_max_length: 4096,
  pad_token: null,
  padding_side: 'right',
  sp_model_kwargs: {},
  tokenizer_class: 'LlamaTokenizer',
  unk_token: { __type: 'AddedToken', content: '<unk>', lstrip: false, normalized: false, rstrip: false, single_word: false },
};

/** Vicuna-7B-v1.5's special_tokens_map.json. */
export const VICUNA_SPECIAL_TOKENS_MAP = {
  bos_token: { content: '<s>', lstrip: false, normalized: false, rstrip: false, single_word: false },
  eos_token: { content: '</s>', lstrip: false, normalized: false, rstrip: false, single_word: false },
  pad_token: '<unk>',
  unk_token: { content: '<unk>', lstrip: false, normalized: false, rstrip: false, single_word: false },
};
