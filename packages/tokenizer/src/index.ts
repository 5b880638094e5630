/**
 * @evejs/tokenizer: the Llama-2 / Vicuna tokenizer EVE uses (SentencePiece BPE, identical ids),
 * Hugging Face 4.31 special-token handling, EVE's conversation templates, `<image>` splicing and
 * training label masking. This file is the package's only public entry.
 */
export { parseSentencePieceModel, PieceType } from './sentencepiece-model.js';
export type { SentencePieceModel, SentencePieceTrainerSpec, SentencePieceNormalizerSpec } from './sentencepiece-model.js';
export { SentencePieceBpe, SPACE_SYMBOL } from './sentencepiece-bpe.js';
export { decodeSentencePiece } from './sentencepiece-decode.js';
export { parseHfTokenizerJson } from './hf-tokenizer-json.js';
export type { HfTokenizerJson } from './hf-tokenizer-json.js';
export { parseLlamaTokenizerConfig, DEFAULT_LLAMA_TOKENIZER_CONFIG } from './tokenizer-config.js';
export type { LlamaTokenizerConfig, SpecialToken, AddedToken } from './tokenizer-config.js';
export { LlamaTokenizer, cleanUpTokenizationSpaces } from './llama-tokenizer.js';
export type { EncodeMode, EncodeOptions, DecodeOptions } from './llama-tokenizer.js';
export { loadTokenizer, tokenizerFromFiles } from './load-tokenizer.js';
export type { TokenizerFiles } from './load-tokenizer.js';
export { CONVERSATION_TEMPLATES, DEFAULT_CONVERSATION_TEMPLATE, getConversationTemplate, renderPrompt } from './conversation.js';
export type { ConversationTemplate, ConversationMessage, SeparatorStyle } from './conversation.js';
export { tokenizerImageToken, IMAGE_TOKEN_INDEX, DEFAULT_IMAGE_TOKEN } from './image-token.js';
export { preprocessMultimodal, preprocessV1, preprocessPlain, IGNORE_INDEX } from './preprocess.js';
export type { SourceMessage, PreprocessedSample, PreprocessedV1Sample, PreprocessV1Options } from './preprocess.js';
export { StreamingDetokenizer } from './streaming-detokenizer.js';
export type { StreamingDetokenizerOptions } from './streaming-detokenizer.js';
