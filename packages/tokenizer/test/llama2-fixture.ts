/**
 * Builds the Llama-2 tokenizer files the tests use (tokenizer.model, tokenizer.json and Vicuna's
 * two config files) from the vocabulary and merges shipped inside the npm package
 * `llama-tokenizer-js` (a devDependency). Nothing from Meta is committed: the files are rebuilt
 * into `packages/tokenizer/build/llama2/` (git-ignored) on first use.
 *
 * Scores follow SentencePiece's BPE trainer: byte and meta pieces score 0, merged pieces score
 * -(index among merged pieces) = -(id - 259), and Llama-2's whitespace-only pieces score -1e9.
 * `tools/tokenizer-fixtures/generate_goldens.py` checks that these scores reproduce the merge
 * order of Hugging Face's tokenizer.json (which its converter sorted by the original scores).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import llamaTokenizerJs from 'llama-tokenizer-js';
import { ProtobufWriter } from './protobuf-writer.js';
import { VICUNA_SPECIAL_TOKENS_MAP, VICUNA_TOKENIZER_CONFIG } from './vicuna-configs.js';

/** Where the generated files live (git-ignored). */
export const LLAMA2_FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'llama2');

const WHITESPACE_SCORE = -1e9;

/** The vocabulary (id order) and merges (rank order) carried by llama-tokenizer-js. */
export function llama2VocabAndMerges(): { vocab: string[]; merges: [string, string][] } {
  const vocab = [...llamaTokenizerJs.vocabById];
  const known = new Set(vocab);
  const merges: [string, string][] = [];
  for (const key of llamaTokenizerJs.merges.keys()) {
    const at = key.indexOf(' ');
    const pair: [string, string] = [key.slice(0, at), key.slice(at + 1)];
    if (!known.has(pair[0]) || !known.has(pair[1])) throw new Error(`bad merge ${key}`);
    merges.push(pair);
  }
  return { vocab, merges };
}

function pieceType(id: number): number {
  if (id === 0) return 2; // UNKNOWN
  if (id <= 2) return 3; // CONTROL
  if (id <= 258) return 6; // BYTE
  return 1; // NORMAL
}

/** The score of piece `id` in Llama-2's tokenizer.model (see the file header). */
export function llama2Score(id: number, piece: string): number {
  if (id <= 258) return 0;
  if (/^▁+$/u.test(piece)) return WHITESPACE_SCORE;
  return -(id - 259);
}

/** Serialises a SentencePiece ModelProto with Llama-2's trainer and normaliser specs. */
export function buildLlama2ModelProto(vocab: readonly string[]): Uint8Array {
  const model = new ProtobufWriter();
  vocab.forEach((piece, id) => {
    const sp = new ProtobufWriter().string(1, piece).float(2, llama2Score(id, piece));
    const type = pieceType(id);
    if (type !== 1) sp.int(3, type);
    model.message(1, sp);
  });
  // Fields in field-number order, as protobuf's C++ serialiser writes them; `input` and
  // `model_prefix` are the strings Meta's file carries.
  const trainer = new ProtobufWriter()
    .string(1, '/large_experiments/theorem/datasets/MERGED/all.test1.merged') // input
    .string(2, 'spm_model_32k_200M_charcov099995_allowWSO__v2') // model_prefix
    .int(3, 2) // model_type BPE
    .int(4, 32000) // vocab_size
    .int(6, 0) // self_test_sample_size
    .string(7, 'text') // input_format
    .float(10, 0.99995) // character_coverage
    .int(11, 200000000) // input_sentence_size
    .int(14, 1000000) // seed_sentencepiece_size
    .float(15, 0.75) // shrinking_factor
    .int(16, 80) // num_threads
    .int(17, 2) // num_sub_iterations
    .int(18, 4192) // max_sentence_length
    .bool(19, true) // shuffle_input_sentence
    .int(20, 16) // max_sentencepiece_length
    .bool(21, true) // split_by_unicode_script
    .bool(22, true) // split_by_whitespace
    .bool(23, true) // split_by_number
    .bool(24, false) // treat_whitespace_as_suffix
    .bool(25, true) // split_digits
    .bool(26, true) // allow_whitespace_only_pieces
    .bool(32, true) // vocabulary_output_piece_score
    .bool(33, true) // hard_vocab_limit
    .bool(34, false) // use_all_vocab
    .bool(35, true) // byte_fallback
    .string(36, '') // required_chars
    .int(40, 0) // unk_id
    .int(41, 1) // bos_id
    .int(42, 2) // eos_id
    .int(43, -1) // pad_id
    .string(44, ' \u2047 ') // unk_surface
    .string(45, '<unk>')
    .string(46, '<s>')
    .string(47, '</s>')
    .string(48, '<pad>')
    .bool(49, false) // train_extremely_large_corpus
    .bool(50, false) // enable_differential_privacy
    .float(51, 0)
    .int(52, 0);
  const normalizer = new ProtobufWriter()
    .string(1, 'identity')
    .bytes(2, new Uint8Array(0)) // precompiled_charsmap
    .bool(3, true) // add_dummy_prefix
    .bool(4, false) // remove_extra_whitespaces
    .string(6, ''); // normalization_rule_tsv
  model.message(2, trainer).message(3, normalizer);
  return model.finish();
}

/** Hugging Face tokenizer.json for the same vocabulary, in the layout the Llama converter writes. */
export function buildLlama2TokenizerJson(vocab: readonly string[], merges: readonly [string, string][]): string {
  const added = (id: number, content: string) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab: Object.fromEntries(vocab.map((p, i) => [p, i])),
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  return JSON.stringify(json);
}

/**
 * Writes the four files into `dir` (default {@link LLAMA2_FIXTURE_DIR}) unless they exist.
 * Returns the directory.
 */
export function ensureLlama2Fixture(dir: string = LLAMA2_FIXTURE_DIR, force = false): string {
  const modelPath = join(dir, 'tokenizer.model');
  if (!force && existsSync(modelPath) && existsSync(join(dir, 'tokenizer.json'))) return dir;
  const { vocab, merges } = llama2VocabAndMerges();
  if (vocab.length !== 32000) throw new Error(`expected 32000 pieces, got ${vocab.length}`);
  mkdirSync(dir, { recursive: true });
  // Test files run in parallel workers: write to a temporary name and rename, so that a reader
  // never sees a half-written file.
  const write = (name: string, data: string | Uint8Array) => {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name));
  };
  write('tokenizer_config.json', `${JSON.stringify(VICUNA_TOKENIZER_CONFIG, null, 2)}\n`);
  write('special_tokens_map.json', `${JSON.stringify(VICUNA_SPECIAL_TOKENS_MAP, null, 2)}\n`);
  write('tokenizer.json', buildLlama2TokenizerJson(vocab, merges));
  // Written last: its presence marks a complete fixture.
  write('tokenizer.model', buildLlama2ModelProto(vocab));
  return dir;
}

/** Reads a committed JSON fixture from `test/fixtures/`. */
export function readFixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name), 'utf8')) as T;
}
