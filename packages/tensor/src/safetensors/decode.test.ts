import { describe, expect, it } from 'vitest';
import { DTypeError } from '../errors.js';
import { decodeTensorBytes, narrowI64ToI32 } from './decode.js';
import { dtypeOfFileDType, FILE_DTYPES, fileDTypeBits, fileDTypeOf } from './file-dtype.js';
import { DTYPES, f32ToBf16Bits } from '../dtype.js';

const i64Bytes = (values: bigint[]) => new Uint8Array(BigInt64Array.from(values).buffer);

describe('file dtypes', () => {
  it('map the seven evejs-readable dtypes both ways', () => {
    expect(FILE_DTYPES.filter((d) => dtypeOfFileDType(d) !== null).sort()).toEqual(['BF16', 'BOOL', 'F16', 'F32', 'I32', 'I64', 'U8']);
    for (const d of DTYPES) expect(dtypeOfFileDType(fileDTypeOf(d))).toBe(d);
    expect(dtypeOfFileDType('I64')).toBe('i32');
    expect(dtypeOfFileDType('F64')).toBeNull();
    expect(fileDTypeBits('BF16')).toBe(16);
  });
});

describe('narrowI64ToI32', () => {
  it('keeps every value in the i32 range, including both ends', () => {
    const values = [0n, 1n, -1n, 2147483647n, -2147483648n, 123456789n, -987654321n];
    expect([...narrowI64ToI32('f', 'k', i64Bytes(values))]).toEqual(values.map(Number));
  });
  it.each([2147483648n, -2147483649n, 1n << 40n, -(1n << 62n), 4294967295n])('refuses %s, naming the tensor and element', (v) => {
    const bytes = i64Bytes([5n, v]);
    expect(() => narrowI64ToI32('/m.safetensors', 'position_ids', bytes)).toThrow(DTypeError);
    expect(() => narrowI64ToI32('/m.safetensors', 'position_ids', bytes)).toThrow(
      `/m.safetensors: tensor "position_ids" (I64) element 1 is ${v}, which does not fit in i32`,
    );
  });
  it('handles unaligned input bytes', () => {
    const backing = new Uint8Array(17);
    backing.set(i64Bytes([-7n, 9n]), 1);
    expect([...narrowI64ToI32('f', 'k', backing.subarray(1))]).toEqual([-7, 9]);
  });
});

describe('decodeTensorBytes', () => {
  it('views bytes as the stored dtype without conversion', () => {
    const f = new Float32Array([1.5, -2, 3.25]);
    const { data, dtype } = decodeTensorBytes('f', 'k', new Uint8Array(f.buffer), 'F32');
    expect(dtype).toBe('f32');
    expect(data).toEqual(f);
  });
  it('converts while reading (bf16 → f32 exactly, f32 → bf16 rounding to nearest even)', () => {
    const bits = new Uint16Array([0x3f80, 0xc010, 0x7f80, 0x0001]);
    const { data, dtype } = decodeTensorBytes('f', 'k', new Uint8Array(bits.buffer), 'BF16', 'f32');
    expect(dtype).toBe('f32');
    expect([...data]).toEqual([1, -2.25, Infinity, 2 ** -133]);
    const f = new Float32Array([1.00390625, 3.14159]);
    const back = decodeTensorBytes('f', 'k', new Uint8Array(f.buffer), 'F32', 'bf16').data;
    expect([...back]).toEqual([...f].map(f32ToBf16Bits));
  });
  it('narrows I64 and can convert it further', () => {
    const { data, dtype } = decodeTensorBytes('f', 'k', i64Bytes([3n, -4n]), 'I64', 'f32');
    expect(dtype).toBe('f32');
    expect([...data]).toEqual([3, -4]);
  });
  it('refuses file dtypes evejs cannot hold, pointing at readRaw', () => {
    expect(() => decodeTensorBytes('/a.safetensors', 'w', new Uint8Array(8), 'F64')).toThrow(
      /\/a.safetensors: tensor "w" has dtype F64, which evejs cannot read \(readRaw gives its bytes\)/,
    );
  });
});
