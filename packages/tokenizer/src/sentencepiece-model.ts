/**
 * Parses a SentencePiece `tokenizer.model` (a serialised `ModelProto`) into plain arrays:
 * pieces, scores and types, plus the trainer and normaliser settings that change encoding.
 * Field numbers and proto2 defaults are those of sentencepiece's `sentencepiece_model.proto`.
 * It does not encode anything (see `SentencePieceBpe`) and it does not support models whose
 * normaliser carries a precompiled character map (Llama's is the identity).
 */
import { FormatError } from '@evejs/tensor';
import { ProtobufError, ProtobufReader, WireType } from './protobuf-reader.js';

/** Piece types of `ModelProto.SentencePiece.Type`. */
export const PieceType = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

/** The trainer settings that matter when encoding and decoding. */
export interface SentencePieceTrainerSpec {
  /** 1 unigram, 2 BPE, 3 word, 4 char. */
  readonly modelType: number;
  readonly vocabSize: number;
  readonly byteFallback: boolean;
  readonly splitDigits: boolean;
  readonly treatWhitespaceAsSuffix: boolean;
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkSurface: string;
  readonly unkPiece: string;
  readonly bosPiece: string;
  readonly eosPiece: string;
  readonly padPiece: string;
}

/** The normaliser settings (proto2 defaults apply to absent fields). */
export interface SentencePieceNormalizerSpec {
  readonly name: string;
  readonly precompiledCharsmapByteLength: number;
  readonly addDummyPrefix: boolean;
  readonly removeExtraWhitespaces: boolean;
  readonly escapeWhitespaces: boolean;
}

/** A parsed `tokenizer.model`. */
export interface SentencePieceModel {
  readonly pieces: readonly string[];
  /** Piece scores as stored (float32). */
  readonly scores: Float32Array;
  /** {@link PieceType} of each piece. */
  readonly types: Uint8Array;
  readonly trainerSpec: SentencePieceTrainerSpec;
  readonly normalizerSpec: SentencePieceNormalizerSpec;
}

const defaultTrainerSpec: SentencePieceTrainerSpec = {
  modelType: 1,
  vocabSize: 8000,
  byteFallback: false,
  splitDigits: false,
  treatWhitespaceAsSuffix: false,
  unkId: 0,
  bosId: 1,
  eosId: 2,
  padId: -1,
  unkSurface: ' \u2047 ',
  unkPiece: '<unk>',
  bosPiece: '<s>',
  eosPiece: '</s>',
  padPiece: '<pad>',
};

const defaultNormalizerSpec: SentencePieceNormalizerSpec = {
  name: '',
  precompiledCharsmapByteLength: 0,
  addDummyPrefix: true,
  removeExtraWhitespaces: true,
  escapeWhitespaces: true,
};

function readPiece(r: ProtobufReader): { piece: string; score: number; type: number } {
  let piece: string | undefined;
  let score = 0;
  let type: number = PieceType.normal;
  while (!r.isDone) {
    const f = r.readField();
    if (f.field === 1) {
      r.expect(f, WireType.bytes);
      piece = r.readString();
    } else if (f.field === 2) {
      r.expect(f, WireType.fixed32);
      score = r.readFloat();
    } else if (f.field === 3) {
      r.expect(f, WireType.varint);
      type = r.readInt32();
      if (type < 1 || type > 6) throw new ProtobufError(`unknown piece type ${type}`);
    } else {
      r.skip(f.wireType);
    }
  }
  if (piece === undefined) throw new ProtobufError('a piece without its string');
  return { piece, score, type };
}

function readTrainerSpec(r: ProtobufReader): SentencePieceTrainerSpec {
  const s: { -readonly [K in keyof SentencePieceTrainerSpec]: SentencePieceTrainerSpec[K] } = { ...defaultTrainerSpec };
  while (!r.isDone) {
    const f = r.readField();
    const int = () => (r.expect(f, WireType.varint), r.readInt32());
    const bool = () => (r.expect(f, WireType.varint), r.readBool());
    const str = () => (r.expect(f, WireType.bytes), r.readString());
    switch (f.field) {
      case 3: s.modelType = int(); break;
      case 4: s.vocabSize = int(); break;
      case 24: s.treatWhitespaceAsSuffix = bool(); break;
      case 25: s.splitDigits = bool(); break;
      case 35: s.byteFallback = bool(); break;
      case 40: s.unkId = int(); break;
      case 41: s.bosId = int(); break;
      case 42: s.eosId = int(); break;
      case 43: s.padId = int(); break;
      case 44: s.unkSurface = str(); break;
      case 45: s.unkPiece = str(); break;
      case 46: s.bosPiece = str(); break;
      case 47: s.eosPiece = str(); break;
      case 48: s.padPiece = str(); break;
      default: r.skip(f.wireType);
    }
  }
  return s;
}

function readNormalizerSpec(r: ProtobufReader): SentencePieceNormalizerSpec {
  const s: { -readonly [K in keyof SentencePieceNormalizerSpec]: SentencePieceNormalizerSpec[K] } = { ...defaultNormalizerSpec };
  while (!r.isDone) {
    const f = r.readField();
    switch (f.field) {
      case 1: r.expect(f, WireType.bytes); s.name = r.readString(); break;
      case 2: r.expect(f, WireType.bytes); s.precompiledCharsmapByteLength = r.readBytes().length; break;
      case 3: r.expect(f, WireType.varint); s.addDummyPrefix = r.readBool(); break;
      case 4: r.expect(f, WireType.varint); s.removeExtraWhitespaces = r.readBool(); break;
      case 5: r.expect(f, WireType.varint); s.escapeWhitespaces = r.readBool(); break;
      default: r.skip(f.wireType);
    }
  }
  return s;
}

/**
 * Parses the bytes of a SentencePiece model file.
 *
 * @param bytes the file's contents
 * @param fileName used in error messages
 * @throws FormatError when the bytes are not a ModelProto (truncated, wrong wire types, no pieces)
 *
 * @example
 * const model = parseSentencePieceModel(readFileSync('tokenizer.model'));
 * model.pieces[29871]; // '▁'
 */
export function parseSentencePieceModel(bytes: Uint8Array, fileName = 'tokenizer.model'): SentencePieceModel {
  const pieces: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  let trainerSpec = defaultTrainerSpec;
  let normalizerSpec = defaultNormalizerSpec;
  try {
    const r = new ProtobufReader(bytes);
    while (!r.isDone) {
      const f = r.readField();
      if (f.field === 1) {
        r.expect(f, WireType.bytes);
        const p = readPiece(r.readMessage());
        pieces.push(p.piece);
        scores.push(p.score);
        types.push(p.type);
      } else if (f.field === 2) {
        r.expect(f, WireType.bytes);
        trainerSpec = readTrainerSpec(r.readMessage());
      } else if (f.field === 3) {
        r.expect(f, WireType.bytes);
        normalizerSpec = readNormalizerSpec(r.readMessage());
      } else {
        r.skip(f.wireType);
      }
    }
  } catch (err) {
    if (err instanceof ProtobufError) {
      throw new FormatError(fileName, `not a SentencePiece model (${err.message})`);
    }
    throw err;
  }
  if (pieces.length === 0) throw new FormatError(fileName, 'not a SentencePiece model (no pieces)');
  const seen = new Map<string, number>();
  pieces.forEach((p, i) => {
    const before = seen.get(p);
    if (before !== undefined) throw new FormatError(fileName, `piece ${JSON.stringify(p)} appears twice (ids ${before} and ${i})`);
    seen.set(p, i);
  });
  return { pieces, scores: Float32Array.from(scores), types: Uint8Array.from(types), trainerSpec, normalizerSpec };
}
