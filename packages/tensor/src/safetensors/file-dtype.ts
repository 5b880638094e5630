/**
 * The dtype names a safetensors header may use, their element sizes, and how they map onto evejs
 * dtypes.
 *
 * The list and its order copy the reference's `Dtype` enum (huggingface/safetensors
 * `safetensors/src/tensor.rs`): the order matters because the reference writer lays tensors out
 * by descending position in that enum, then by name. evejs reads and writes seven of them; the
 * others are known so that a header using them still validates (sizes, offsets) and its other
 * tensors stay readable, but reading such a tensor as a Tensor is a DTypeError.
 */
import type { DType } from '../dtype.js';

/** Every dtype name of the safetensors format, in the reference's enum order (increasing alignment). */
export const FILE_DTYPES = [
  'BOOL',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const;

/** A dtype name as written in a safetensors header (`"F32"`, `"BF16"`, …). */
export type FileDType = (typeof FILE_DTYPES)[number];

const BITS: Record<FileDType, number> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** The file dtypes evejs reads, and the evejs dtype each becomes (I64 narrows to i32, range-checked). */
const TO_DTYPE: Partial<Record<FileDType, DType>> = {
  F32: 'f32',
  F16: 'f16',
  BF16: 'bf16',
  I32: 'i32',
  I64: 'i32',
  U8: 'u8',
  BOOL: 'bool',
};

const FROM_DTYPE: Record<DType, FileDType> = {
  f32: 'F32',
  f16: 'F16',
  bf16: 'BF16',
  i32: 'I32',
  u8: 'U8',
  bool: 'BOOL',
};

/** Whether `x` is a dtype name the safetensors format defines. */
export function isFileDType(x: unknown): x is FileDType {
  return typeof x === 'string' && (FILE_DTYPES as readonly string[]).includes(x);
}

/** Bits per element of a file dtype (4 and 6 for the sub-byte float formats). */
export function fileDTypeBits(d: FileDType): number {
  return BITS[d];
}

/** The evejs dtype a file dtype is read as, or null when evejs cannot represent it. */
export function dtypeOfFileDType(d: FileDType): DType | null {
  return TO_DTYPE[d] ?? null;
}

/** The file dtype an evejs dtype is written as. */
export function fileDTypeOf(d: DType): FileDType {
  return FROM_DTYPE[d];
}

/**
 * The reference writer's layout rank: tensors are written by descending rank, then by name.
 * (It is the position in the reference's enum, so F32 comes before I32 before BF16 before F16.)
 */
export function fileDTypeWriteRank(d: FileDType): number {
  return FILE_DTYPES.indexOf(d);
}
