/**
 * Types and loaders of the committed golden files made by tools/tokenizer-fixtures/*.py with
 * python3-sentencepiece, shared by the test files.
 */
import { readFileSync } from 'node:fs';
import { loadTokenizer, type LlamaTokenizer } from '../src/index.js';
import { ensureLlama2Fixture, readFixtureJson } from './llama2-fixture.js';

export interface EncodeGolden {
  text: string;
  sp: number[];
  spDecoded: string;
  hf: number[];
  hfLegacy: number[];
}

export interface Llama2Goldens {
  sentencepiece: string;
  scoresReproduceHfMergeOrder: boolean;
  encode: EncodeGolden[];
  decode: { ids: number[]; sp: string }[];
}

export const llama2Goldens = (): Llama2Goldens => readFixtureJson<Llama2Goldens>('llama2-goldens.json');

let cached: Promise<LlamaTokenizer> | undefined;

/** The Llama-2 / Vicuna tokenizer built from llama-tokenizer-js (once per test file). */
export function llama2Tokenizer(): Promise<LlamaTokenizer> {
  cached ??= loadTokenizer(ensureLlama2Fixture());
  return cached;
}

/** The bytes of the built tokenizer.model. */
export function llama2ModelBytes(): Uint8Array {
  return readFileSync(`${ensureLlama2Fixture()}/tokenizer.model`);
}
