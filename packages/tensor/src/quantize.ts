/**
 * Block quantisation of weight matrices, on the host: q8_0 and q4_0 in the manner of GGML.
 * Each row of a [rows, cols] matrix is cut into blocks of 32 values that share one f16 scale d:
 *
 *   q8_0: q = round(x / d) in [-127, 127], d = max|x| / 127;           x ≈ q·d
 *   q4_0: q = round(x / d) + 8 in [0, 15], d = m / -8 (m: the value   x ≈ (q − 8)·d
 *         of largest magnitude, sign kept, so it maps exactly to −8)
 *
 * Layout (ours, chosen so every backend reads it as whole 32-bit words): `quants` is an i32
 * array [rows, cols / 4] (q8_0: four int8 per word, element j in bits 8j…8j+7) or
 * [rows, cols / 8] (q4_0: eight nibbles per word, element j in bits 4j…4j+3); `scales` is an f16
 * array [rows, cols / 32]. That is 1.0625 bytes per weight for q8_0 and 0.5625 for q4_0.
 * d is rounded to f16 before dividing, so the stored scale is the one the values were made with.
 */
import { f16BitsToF32, f32ToF16Bits } from './dtype.js';

export type QuantFormat = 'q8_0' | 'q4_0';
export const QUANT_FORMATS: readonly QuantFormat[] = ['q8_0', 'q4_0'];

/** Values per block (one scale each). */
export const QUANT_BLOCK = 32;

export function isQuantFormat(x: unknown): x is QuantFormat {
  return x === 'q8_0' || x === 'q4_0';
}

/** Values packed into one i32 word of `quants`. */
export function valuesPerWord(format: QuantFormat): number {
  return format === 'q8_0' ? 4 : 8;
}

/** Bytes a [rows, cols] matrix takes quantised (quants + scales). */
export function quantizedByteLength(format: QuantFormat, rows: number, cols: number): number {
  return rows * ((cols / valuesPerWord(format)) * 4 + (cols / QUANT_BLOCK) * 2);
}

/** The host arrays of a quantised matrix. */
export interface QuantizedHost {
  readonly format: QuantFormat;
  readonly rows: number;
  readonly cols: number;
  /** [rows, cols / valuesPerWord] packed words. */
  readonly quants: Int32Array;
  /** [rows, cols / 32] f16 bit patterns. */
  readonly scales: Uint16Array;
}

/** Throws unless a matrix of `cols` columns can be quantised (whole blocks per row). */
export function checkQuantizable(cols: number, what = 'matrix'): void {
  if (cols % QUANT_BLOCK !== 0) throw new RangeError(`${what}: ${cols} columns is not a multiple of the ${QUANT_BLOCK}-value quantisation block`);
}

/**
 * Quantises a row-major [rows, cols] matrix; `read(i)` gives element i as a number (so f16/bf16
 * sources need no f32 copy). cols must be a multiple of 32.
 */
export function quantizeHost(format: QuantFormat, rows: number, cols: number, read: (i: number) => number): QuantizedHost {
  checkQuantizable(cols);
  const perWord = valuesPerWord(format);
  const blocksPerRow = cols / QUANT_BLOCK;
  const quants = new Int32Array((rows * cols) / perWord);
  const scales = new Uint16Array(rows * blocksPerRow);
  const block = new Float64Array(QUANT_BLOCK);
  for (let b = 0; b < rows * blocksPerRow; b++) {
    const base = b * QUANT_BLOCK;
    let amax = 0;
    let m = 0;
    for (let j = 0; j < QUANT_BLOCK; j++) {
      const v = read(base + j);
      block[j] = v;
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        m = v;
      }
    }
    const bits = f32ToF16Bits(format === 'q8_0' ? amax / 127 : m / -8);
    scales[b] = bits;
    const d = f16BitsToF32(bits);
    const inv = d === 0 || !Number.isFinite(d) ? 0 : 1 / d;
    const w0 = base / perWord;
    if (format === 'q8_0') {
      for (let w = 0; w < QUANT_BLOCK / 4; w++) {
        let word = 0;
        for (let j = 0; j < 4; j++) {
          const q = Math.max(-127, Math.min(127, Math.round(block[w * 4 + j]! * inv)));
          word |= (q & 0xff) << (8 * j);
        }
        quants[w0 + w] = word;
      }
    } else {
      for (let w = 0; w < QUANT_BLOCK / 8; w++) {
        let word = 0;
        for (let j = 0; j < 8; j++) {
          const q = Math.max(0, Math.min(15, Math.round(block[w * 8 + j]! * inv) + 8));
          word |= q << (4 * j);
        }
        quants[w0 + w] = word;
      }
    }
  }
  return { format, rows, cols, quants, scales };
}

/**
 * Dequantises rows [row0, row0 + count) into `out` (row-major, `count·cols` floats from `outOff`).
 * The kernels' shared decoder: CPU matmul dequantises a panel of rows at a time with it.
 */
export function dequantizeRows(
  format: QuantFormat,
  cols: number,
  quants: Int32Array,
  quantsOff: number,
  scales: Uint16Array,
  scalesOff: number,
  row0: number,
  count: number,
  out: Float32Array,
  outOff = 0,
): void {
  const perWord = valuesPerWord(format);
  const wordsPerRow = cols / perWord;
  const blocksPerRow = cols / QUANT_BLOCK;
  for (let r = 0; r < count; r++) {
    const wRow = quantsOff + (row0 + r) * wordsPerRow;
    const sRow = scalesOff + (row0 + r) * blocksPerRow;
    const o = outOff + r * cols;
    for (let b = 0; b < blocksPerRow; b++) {
      const d = f16BitsToF32(scales[sRow + b]!);
      const wb = wRow + (b * QUANT_BLOCK) / perWord;
      const ob = o + b * QUANT_BLOCK;
      if (format === 'q8_0') {
        for (let w = 0; w < 8; w++) {
          const word = quants[wb + w]!;
          const oo = ob + w * 4;
          out[oo] = ((word << 24) >> 24) * d;
          out[oo + 1] = ((word << 16) >> 24) * d;
          out[oo + 2] = ((word << 8) >> 24) * d;
          out[oo + 3] = (word >> 24) * d;
        }
      } else {
        for (let w = 0; w < 4; w++) {
          const word = quants[wb + w]!;
          const oo = ob + w * 8;
          for (let j = 0; j < 8; j++) out[oo + j] = (((word >>> (4 * j)) & 15) - 8) * d;
        }
      }
    }
  }
}
