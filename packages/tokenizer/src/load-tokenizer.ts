/**
 * Loads a Llama tokenizer from a checkpoint directory (Node only): `tokenizer.model` when present,
 * else `tokenizer.json`, plus `tokenizer_config.json` and `special_tokens_map.json` if they exist
 * (Vicuna-style checkpoints ship only the model and those two). Browsers build a tokenizer from
 * bytes with `tokenizerFromFiles` instead.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodePath from 'node:path';
import { EveError, FormatError, nodeBuiltin } from '@evejs/tensor';
import { parseHfTokenizerJson } from './hf-tokenizer-json.js';
import { LlamaTokenizer } from './llama-tokenizer.js';
import { parseSentencePieceModel } from './sentencepiece-model.js';
import { parseLlamaTokenizerConfig } from './tokenizer-config.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

/** The contents of a tokenizer directory's files (absent ones undefined). */
export interface TokenizerFiles {
  /** tokenizer.model bytes. */
  readonly tokenizerModel?: Uint8Array;
  /** tokenizer.json text. */
  readonly tokenizerJson?: string;
  /** tokenizer_config.json text. */
  readonly tokenizerConfig?: string;
  /** special_tokens_map.json text. */
  readonly specialTokensMap?: string;
}

function parseJsonFile(text: string | undefined, name: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (err) {
    throw new FormatError(name, `not JSON (${(err as Error).message})`);
  }
}

/**
 * Builds a tokenizer from file contents (platform-neutral).
 *
 * @throws EveError when neither tokenizer.model nor tokenizer.json is given; FormatError when one is malformed
 */
export function tokenizerFromFiles(files: TokenizerFiles): LlamaTokenizer {
  let config = parseLlamaTokenizerConfig(
    parseJsonFile(files.tokenizerConfig, 'tokenizer_config.json'),
    parseJsonFile(files.specialTokensMap, 'special_tokens_map.json'),
  );
  if (files.tokenizerModel) {
    return new LlamaTokenizer(parseSentencePieceModel(files.tokenizerModel), config, 'tokenizer.model');
  }
  if (files.tokenizerJson !== undefined) {
    const hf = parseHfTokenizerJson(files.tokenizerJson);
    config = { ...config, addedTokens: [...hf.addedTokens, ...config.addedTokens] };
    return new LlamaTokenizer(hf.model, config, 'tokenizer.json');
  }
  throw new EveError('no tokenizer.model or tokenizer.json given');
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await nodeFs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Loads the tokenizer of a checkpoint directory.
 *
 * @throws EveError when the directory or both tokenizer files are missing; FormatError for a corrupt file
 * @example
 * const tok = await loadTokenizer('checkpoints/EVE-7B-HD-v1.0');
 * tok.encode('Hello'); // [1, 15043]
 */
export async function loadTokenizer(dir: string): Promise<LlamaTokenizer> {
  const info = await nodeFs.stat(dir).catch(() => undefined);
  if (!info) throw new EveError(`tokenizer directory ${dir} does not exist`);
  if (!info.isDirectory()) throw new EveError(`${dir} is not a directory`);
  const [model, json, config, map] = await Promise.all(
    ['tokenizer.model', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'].map((f) => readIfExists(nodePath.join(dir, f))),
  );
  if (!model && !json) throw new EveError(`${dir} has neither tokenizer.model nor tokenizer.json`);
  const withPath = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof FormatError) throw new FormatError(nodePath.join(dir, err.file), err.message.slice(err.file.length + 2));
      throw err;
    }
  };
  return withPath(() =>
    tokenizerFromFiles({
      ...(model ? { tokenizerModel: new Uint8Array(model.buffer, model.byteOffset, model.byteLength) } : {}),
      ...(json && !model ? { tokenizerJson: json.toString('utf8') } : {}),
      ...(config ? { tokenizerConfig: config.toString('utf8') } : {}),
      ...(map ? { specialTokensMap: map.toString('utf8') } : {}),
    }),
  );
}
