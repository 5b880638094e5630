/**
 * Builds the built-in model's tokenizer: a SentencePiece BPE model in Llama-2's format (same
 * special ids, byte fallback, dummy prefix, digits split) but with a small vocabulary learned from
 * the shapes world's language (captions, questions, answers, caption prompts) and EVE's vicuna_v1
 * conversation template. It is read by the same @evejs/tokenizer code as Llama-2's file; text
 * outside this little world still encodes, through byte fallback.
 *
 * Why not Llama-2's own 32000 pieces: the output layer of a model with a few million parameters
 * would be mostly vocabulary (32000 × hidden), and its cost per token would dominate training on
 * two CPU cores. Why not a copy of a subset of Meta's file: we commit nothing derived from it.
 *
 * Training follows SentencePiece's BPE: words are whitespace-prefixed (`▁word`); the most
 * frequent adjacent pair is merged repeatedly; a merge never crosses a word boundary, a digit or a
 * letter/punctuation boundary (split_by_whitespace, split_digits, split_by_unicode_script); the
 * k-th merge gets score −k so the encoder replays the training order.
 *
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/build-tokenizer.ts <out dir> [vocab size, default 1024]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COLOURS, conversationRecord, POSITIONS, SHAPES, shapesSample, SHORT_ANSWER_SUFFIX, WORDS } from '@evejs/datasets';
import { getConversationTemplate, LlamaTokenizer, parseSentencePieceModel } from '@evejs/tokenizer';
import { ProtobufWriter } from '../../packages/tokenizer/test/protobuf-writer.ts';
import { VICUNA_SPECIAL_TOKENS_MAP, VICUNA_TOKENIZER_CONFIG } from '../../packages/tokenizer/test/vicuna-configs.ts';

const SPACE = '\u2581';
/** vicuna_v1's role names, looked up bare after `</s>` (see trainBpe). */
const BARE_PIECES = ['USER', 'ASSISTANT'];

/** The text the tokenizer learns from: a sample of the world's language plus the template. */
function corpus(): string[] {
  const lines: string[] = [];
  const t = getConversationTemplate('vicuna_v1');
  const [user, assistant] = t.roles;
  for (let i = 0; i < 3000; i++) {
    const s = shapesSample(12345, 'train', i);
    lines.push(s.caption, s.captionPrompt);
    // Conversations as the SFT prompts render them, so the template's words become whole pieces.
    const turns = conversationRecord(s).conversations.map((c) => `${c.from === 'human' ? user : assistant}: ${c.value.replace('<image>\n', '')}`);
    lines.push(`${t.system} ${turns.join(' ')}`);
  }
  lines.push(SHORT_ANSWER_SUFFIX.trim(), 'Unanswerable');
  // Every word of the vocabulary at least once, lower- and upper-case.
  lines.push([...COLOURS.map((c) => c.name), ...SHAPES, ...POSITIONS, ...WORDS, ...WORDS.map((w) => w.toLowerCase())].join(' '));
  return lines;
}

type CharClass = 'letter' | 'digit' | 'space' | 'other';
function classOf(ch: string): CharClass {
  if (ch === SPACE) return 'space';
  if (/\p{L}/u.test(ch)) return 'letter';
  if (/\p{N}/u.test(ch)) return 'digit';
  return 'other';
}

/** A pair may merge only inside one word, never with a digit, never letter with punctuation. */
function canMerge(a: string, b: string): boolean {
  if (b.startsWith(SPACE)) return false;
  const body = (a.startsWith(SPACE) ? a.slice(1) : a) + b;
  if ([...body].some((c) => classOf(c) === 'digit' || classOf(c) === 'space')) return false;
  const classes = new Set([...body].map(classOf));
  return classes.size === 1;
}

export function trainBpe(lines: readonly string[], vocabSize: number, reserved = 0): { pieces: string[]; scores: number[] } {
  // Word counts; each word is a list of symbols (characters), the first carrying the ▁.
  const counts = new Map<string, number>();
  for (const line of lines) {
    for (const w of `${SPACE}${line.replaceAll(' ', SPACE)}`.split(new RegExp(`(?=${SPACE})`, 'u'))) {
      if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const words = [...counts].map(([w, n]) => ({ symbols: [...w].map((c, i) => (i === 0 && c === SPACE && w.length > 1 ? c : c)), n }));
  // Start: ▁ stays its own symbol, as SentencePiece's initial characters.
  const chars = new Map<string, number>();
  for (const { symbols, n } of words) for (const c of symbols) chars.set(c, (chars.get(c) ?? 0) + n);
  const merges: string[] = [];
  const special = 3 + 256;
  const budget = vocabSize - special - chars.size - reserved;
  for (let k = 0; k < budget; k++) {
    const pairs = new Map<string, number>();
    for (const { symbols, n } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        if (!canMerge(symbols[i]!, symbols[i + 1]!)) continue;
        const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
    }
    let best = '';
    let bestN = 0;
    for (const [key, n] of pairs) if (n > bestN || (n === bestN && key < best)) [best, bestN] = [key, n];
    if (bestN < 2) break;
    const [a, b] = best.split('\u0000') as [string, string];
    const merged = a + b;
    merges.push(merged);
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (i + 1 < w.symbols.length && w.symbols[i] === a && w.symbols[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(w.symbols[i]!);
      }
      w.symbols = out;
    }
  }
  // Merged pieces first (score −k), then the characters by frequency, below every merge.
  const charList = [...chars].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([c]) => c);
  const pieces = [...merges, ...charList.filter((c) => !merges.includes(c))];
  // After `</s>`, HF 4.31 (legacy: false) looks the next word's first piece up without its `▁`
  // ("</s>USER:" → "USER"); keep those bare forms as pieces so they do not become <unk>.
  for (const bare of BARE_PIECES) if (!pieces.includes(bare)) pieces.push(bare);
  if (pieces.length + special > vocabSize) throw new Error(`vocabulary overflow: ${pieces.length + special} > ${vocabSize}`);
  const scores = pieces.map((_, i) => -i);
  return { pieces, scores };
}

/** Serialises a SentencePiece ModelProto with Llama-2's special pieces, byte fallback and specs. */
export function modelProto(normalPieces: readonly string[], normalScores: readonly number[]): Uint8Array {
  const model = new ProtobufWriter();
  const add = (piece: string, score: number, type: number) => {
    const sp = new ProtobufWriter().string(1, piece).float(2, score);
    if (type !== 1) sp.int(3, type);
    model.message(1, sp);
  };
  add('<unk>', 0, 2);
  add('<s>', 0, 3);
  add('</s>', 0, 3);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0, 6);
  normalPieces.forEach((p, i) => add(p, normalScores[i]!, 1));
  const trainer = new ProtobufWriter()
    .string(2, 'evejs-shapes-bpe')
    .int(3, 2) // BPE
    .int(4, 3 + 256 + normalPieces.length)
    .bool(21, true) // split_by_unicode_script
    .bool(22, true) // split_by_whitespace
    .bool(23, true) // split_by_number
    .bool(24, false) // treat_whitespace_as_suffix
    .bool(25, true) // split_digits
    .bool(35, true) // byte_fallback
    .int(40, 0)
    .int(41, 1)
    .int(42, 2)
    .int(43, -1)
    .string(44, ' \u2047 ')
    .string(45, '<unk>')
    .string(46, '<s>')
    .string(47, '</s>')
    .string(48, '<pad>');
  const normalizer = new ProtobufWriter().string(1, 'identity').bytes(2, new Uint8Array(0)).bool(3, true).bool(4, false).string(6, '');
  model.message(2, trainer).message(3, normalizer);
  return model.finish();
}

// Vicuna's configs, with the context of the built-in model.
const TOKENIZER_CONFIG = { ...VICUNA_TOKENIZER_CONFIG, model_max_length: 512 };

/** Builds and writes tokenizer.model + the two config files; returns the vocabulary size. */
export function buildTokenizer(outDir: string, vocabSize = 1024): number {
  const { pieces, scores } = trainBpe(corpus(), vocabSize, BARE_PIECES.length);
  const bytes = modelProto(pieces, scores);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'tokenizer.model'), bytes);
  writeFileSync(path.join(outDir, 'tokenizer_config.json'), `${JSON.stringify(TOKENIZER_CONFIG, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'special_tokens_map.json'), `${JSON.stringify(VICUNA_SPECIAL_TOKENS_MAP, null, 2)}\n`);
  return 3 + 256 + pieces.length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const out = process.argv[2] ?? 'models/eve-shapes-tiny';
  const n = buildTokenizer(out, Number(process.argv[3] ?? 1024));
  const tok = new LlamaTokenizer(parseSentencePieceModel(new Uint8Array(readFileSync(path.join(out, 'tokenizer.model')))));
  const sample = shapesSample(1, 'eval', 0);
  for (const text of [sample.caption, sample.qa[0]!.question, 'Hello, wörld! 42']) {
    const ids = tok.encode(text);
    console.log(ids.length, JSON.stringify(ids), JSON.stringify(tok.decode(ids)));
  }
  console.log(`vocabulary: ${n} pieces → ${out}`);
}
