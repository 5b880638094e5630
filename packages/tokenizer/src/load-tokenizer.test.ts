import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EveError, FormatError } from '@evejs/tensor';
import { ensureLlama2Fixture } from '../test/llama2-fixture.js';
import { ProtobufWriter } from '../test/protobuf-writer.js';
import { loadTokenizer, parseLlamaTokenizerConfig, parseSentencePieceModel } from './index.js';

const tmp = mkdtempSync(join(tmpdir(), 'evejs-tokenizer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadTokenizer', () => {
  it('loads a Vicuna-style directory (tokenizer.model + two configs)', async () => {
    const src = ensureLlama2Fixture();
    const dir = join(tmp, 'vicuna');
    mkdirSync(dir);
    for (const f of ['tokenizer.model', 'tokenizer_config.json', 'special_tokens_map.json']) writeFileSync(join(dir, f), readFileSync(join(src, f)));
    const tok = await loadTokenizer(dir);
    expect(tok.encode('Hello')).toEqual([1, 15043]);
    expect(tok.padId).toBe(0);
    expect(tok.config.legacy).toBe(false);
  });

  it('says what is missing or corrupt', async () => {
    await expect(loadTokenizer(join(tmp, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(loadTokenizer(tmp)).rejects.toThrow(/neither tokenizer.model nor tokenizer.json/);
    const bad = join(tmp, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'tokenizer.model'), readFileSync(join(ensureLlama2Fixture(), 'tokenizer.model')).subarray(0, 5000));
    const err = await loadTokenizer(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toMatch(/bad\/tokenizer\.model: not a SentencePiece model/);
    writeFileSync(join(bad, 'tokenizer.model'), readFileSync(join(ensureLlama2Fixture(), 'tokenizer.model')));
    writeFileSync(join(bad, 'tokenizer_config.json'), '{ nope');
    await expect(loadTokenizer(bad)).rejects.toThrow(/tokenizer_config\.json: not JSON/);
  });
});

describe('parseSentencePieceModel', () => {
  it('applies proto2 defaults and rejects non-BPE models', async () => {
    const piece = (p: string, type?: number) => {
      const w = new ProtobufWriter().string(1, p).float(2, 0);
      return type ? w.int(3, type) : w;
    };
    const bytes = new ProtobufWriter().message(1, piece('<unk>', 2)).message(1, piece('a')).finish();
    const model = parseSentencePieceModel(bytes);
    expect(model.normalizerSpec).toMatchObject({ addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true });
    expect(model.trainerSpec.modelType).toBe(1);
    const { LlamaTokenizer } = await import('./llama-tokenizer.js');
    expect(() => new LlamaTokenizer(model)).toThrow(/model_type 1 is not supported/);
  });

  it('throws FormatError on garbage and on duplicate pieces', () => {
    expect(() => parseSentencePieceModel(new TextEncoder().encode('hello world'))).toThrow(FormatError);
    const dup = new ProtobufWriter().message(1, new ProtobufWriter().string(1, 'a')).message(1, new ProtobufWriter().string(1, 'a')).finish();
    expect(() => parseSentencePieceModel(dup)).toThrow(/appears twice/);
    expect(() => parseSentencePieceModel(new Uint8Array())).toThrow(/no pieces/);
  });
});

describe('parseLlamaTokenizerConfig', () => {
  it('reads 4.31 defaults: no legacy field means legacy', () => {
    expect(parseLlamaTokenizerConfig({}).legacy).toBe(true);
    expect(parseLlamaTokenizerConfig({ legacy: false, add_eos_token: true })).toMatchObject({ legacy: false, addEosToken: true, addBosToken: true });
    expect(() => parseLlamaTokenizerConfig({ bos_token: 3 })).toThrow(EveError);
  });
});
