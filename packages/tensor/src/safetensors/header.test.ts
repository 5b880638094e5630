import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors.js';
import { compareUtf8, encodeHeader, HEADER_MAX_BYTES, parseHeader, parseHeaderLength } from './header.js';

const enc = (s: string) => new TextEncoder().encode(s);
const FILE = '/x/model.safetensors';

/** Parses a header given as text, as if the data region held `dataBytes` bytes. */
function parse(json: string, dataBytes = 0) {
  const h = enc(json);
  return parseHeader(FILE, h, 8 + h.byteLength + dataBytes);
}

function expectFormatError(fn: () => unknown, problem: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).file).toBe(FILE);
    expect((e as Error).message).toMatch(problem);
    expect((e as Error).message.startsWith(`${FILE}: `)).toBe(true);
    return;
  }
  expect.fail(`expected a FormatError matching ${problem}`);
}

describe('parseHeaderLength', () => {
  const prefix = (n: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n, true);
    return b;
  };
  it('reads the little-endian u64', () => {
    expect(parseHeaderLength(FILE, prefix(64n), 100)).toBe(64);
  });
  it('rejects files shorter than 8 bytes', () => {
    expectFormatError(() => parseHeaderLength(FILE, new Uint8Array(0), 0), /truncated: 0 bytes/);
    expectFormatError(() => parseHeaderLength(FILE, new Uint8Array(5), 5), /truncated: 5 bytes/);
  });
  it('rejects a header running past the end of the file', () => {
    expectFormatError(() => parseHeaderLength(FILE, prefix(64n), 8 + 63), /header length 64 runs past the end of the 71-byte file/);
  });
  it('rejects header lengths above the reference limit, including ones past 2^53', () => {
    expectFormatError(() => parseHeaderLength(FILE, prefix(BigInt(HEADER_MAX_BYTES) + 1n), 1e12), /exceeds/);
    expectFormatError(() => parseHeaderLength(FILE, prefix(0xffffffff_00000000n), 1e12), /exceeds/);
  });
});

describe('parseHeader accepts valid headers', () => {
  it('returns entries in offset order with metadata', () => {
    const h = parse(
      '{"b":{"dtype":"F32","shape":[2],"data_offsets":[2,10]},"__metadata__":{"format":"pt"},' +
        '"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}',
      10,
    );
    expect(h.metadata).toEqual({ format: 'pt' });
    expect(h.entries.map((e) => [e.key, e.fileDType, e.shape, e.begin, e.end])).toEqual([
      ['a', 'BF16', [1], 0, 2],
      ['b', 'F32', [2], 2, 10],
    ]);
  });
  it('accepts whitespace before and after the JSON (reference test_whitespace_*_padded_header)', () => {
    expect(parse('\t\n{}\r ').entries).toEqual([]);
    expect(parse('{}\r \t\n').entries).toEqual([]);
  });
  it('accepts scalars, empty tensors and null metadata', () => {
    const h = parse(
      '{"__metadata__":null,"s":{"dtype":"I32","shape":[],"data_offsets":[0,4]},' +
        '"e":{"dtype":"I32","shape":[2,0],"data_offsets":[4,4]},"z":{"dtype":"U8","shape":[0],"data_offsets":[4,4]}}',
      4,
    );
    expect(h.metadata).toEqual({});
    expect(h.entries.map((e) => e.key)).toEqual(['s', 'e', 'z']);
  });
  it('knows the sub-byte dtypes (F4 packs two per byte)', () => {
    expect(parse('{"q":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}', 2).entries[0]?.end).toBe(2);
  });
  it('ignores unknown fields inside an entry, as the reference does', () => {
    expect(parse('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":1}}', 1).entries).toHaveLength(1);
  });
});

describe('parseHeader rejects corrupt headers with a FormatError naming the problem', () => {
  const cases: [string, string, number, RegExp][] = [
    ['not UTF-8', '\uFFFD', 0, /not valid UTF-8/], // replaced below by a raw 0xff byte
    ['not JSON', '{', 0, /not valid JSON/],
    ['a JSON array', '[]', 0, /not a JSON object \(got an array\)/],
    ['a JSON string', '"abc"', 0, /not a JSON object \(got string "abc"\)/],
    ['JSON null', 'null', 0, /not a JSON object \(got null\)/],
    ['an entry that is not an object', '{"a":[1]}', 0, /tensor "a": entry is not an object/],
    ['a missing dtype', '{"a":{"shape":[1],"data_offsets":[0,4]}}', 4, /tensor "a": missing "dtype"/],
    ['an unknown dtype', '{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', 16, /tensor "a": unknown dtype "F128"/],
    ['a lower-case dtype', '{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}', 4, /unknown dtype "f32"/],
    ['a negative dim', '{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}', 0, /shape \[-1\] has -1, not a non-negative integer/],
    ['a fractional dim', '{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,6]}}', 6, /has 1.5, not a non-negative integer/],
    ['a string dim', '{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}', 8, /has "2", not a non-negative integer/],
    ['a shape that is not an array', '{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}', 8, /"shape" must be an array/],
    ['three offsets', '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}', 1, /"data_offsets" must be two non-negative integers/],
    ['a negative offset', '{"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}}', 1, /"data_offsets" must be two/],
    ['offsets ending before they begin', '{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}', 4, /end before they begin/],
    [
      'a byte count that does not match the shape (reference test_invalid_info)',
      '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0, 4]}}',
      4,
      /tensor "test": shape \[2,2\] of I32 needs 16 bytes but data_offsets \[0, 4\] hold 4/,
    ],
    ['a shape overflowing 2^53 (reference test_validation_overflow)', '{"t":{"dtype":"I32","shape":[2,9223372036854775807],"data_offsets":[0,16]}}', 16, /too large|not a non-negative integer/],
    ['sub-byte elements not ending on a byte', '{"q":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', 2, /do not end on a byte boundary/],
    [
      'overlapping tensors',
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}',
      6,
      /overlapping tensors: "b" \[2, 6\) overlaps "a" \[0, 4\)/,
    ],
    [
      'two tensors sharing bytes',
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}',
      4,
      /overlapping tensors/,
    ],
    [
      'a gap between tensors (the reference rejects it as InvalidOffset)',
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[6,10]}}',
      10,
      /gap in the data region: tensor "b" starts at byte 6 but tensor "a" ends at 4/,
    ],
    ['a gap at the start', '{"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}', 8, /tensor "a" starts at byte 4 but the data region starts at 0/],
    ['offsets past the end of the file', '{"a":{"dtype":"U8","shape":[16],"data_offsets":[0,16]}}', 14, /truncated: tensors need 16 bytes of data but the file has 14 \(tensor "a" ends at byte 16\)/],
    ['trailing bytes after the last tensor (reference test_metadata_incomplete_buffer)', '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}', 40, /36 trailing bytes after the last tensor/],
    ['a tensor-less header with data', '{}', 8, /8 trailing bytes/],
    ['duplicate tensor names', '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', 2, /duplicate key "a" at the top level/],
    ['a duplicate field in an entry', '{"a":{"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]}}', 1, /duplicate key "dtype" inside "a"/],
    ['metadata that is not an object', '{"__metadata__":"x"}', 0, /__metadata__ must be an object of strings/],
    ['a non-string metadata value', '{"__metadata__":{"n":1}}', 0, /__metadata__\["n"\] must be a string \(got number 1\)/],
  ];
  it.each(cases)('%s', (_name, json, dataBytes, problem) => {
    if (problem.source.includes('UTF-8')) {
      const bad = new Uint8Array([0x7b, 0xff, 0x7d]);
      expectFormatError(() => parseHeader(FILE, bad, 8 + 3), problem);
      return;
    }
    expectFormatError(() => parse(json, dataBytes), problem);
  });
});

describe('encodeHeader', () => {
  it('lays tensors out by descending reference dtype rank, then by name', () => {
    const { entries } = encodeHeader([
      { key: 'u8', fileDType: 'U8', shape: [3] },
      { key: 'f16', fileDType: 'F16', shape: [1] },
      { key: 'b', fileDType: 'F32', shape: [1] },
      { key: 'bool', fileDType: 'BOOL', shape: [2] },
      { key: 'a', fileDType: 'F32', shape: [2] },
      { key: 'i32', fileDType: 'I32', shape: [1] },
      { key: 'bf16', fileDType: 'BF16', shape: [1] },
    ]);
    // The reference enum order puts F32 after I32 after BF16 after F16, so descending gives this.
    expect(entries.map((e) => [e.key, e.begin, e.end])).toEqual([
      ['a', 0, 8],
      ['b', 8, 12],
      ['i32', 12, 16],
      ['bf16', 16, 18],
      ['f16', 18, 20],
      ['u8', 20, 23],
      ['bool', 23, 25],
    ]);
  });
  it('orders names by UTF-8 bytes as Rust does, not by UTF-16 units', () => {
    const astral = '\u{10000}';
    const bmpHigh = '\uffff';
    expect(astral < bmpHigh).toBe(true); // JS order
    expect(compareUtf8(astral, bmpHigh)).toBeGreaterThan(0); // Rust order
    const { entries } = encodeHeader([
      { key: astral, fileDType: 'U8', shape: [1] },
      { key: bmpHigh, fileDType: 'U8', shape: [1] },
    ]);
    expect(entries.map((e) => e.key)).toEqual([bmpHigh, astral]);
  });
  it('pads with spaces to a multiple of 8 and round-trips through parseHeader', () => {
    const meta = { b: '2', a: 'é "quoted" \n' };
    const { bytes, dataByteLength } = encodeHeader([{ key: 'ключ', fileDType: 'I32', shape: [3, 0] }, { key: 'x', fileDType: 'U8', shape: [5] }], meta);
    expect(bytes.byteLength % 8).toBe(0);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n).toBe(bytes.byteLength - 8);
    const json = bytes.subarray(8);
    const jsonEnd = json.lastIndexOf(0x7d) + 1; // after the closing brace: only the padding
    expect(n - jsonEnd).toBeLessThan(8);
    expect([...json.subarray(jsonEnd)].every((c) => c === 0x20)).toBe(true);
    const text = new TextDecoder().decode(json);
    const h = parseHeader(FILE, bytes.subarray(8), bytes.byteLength + dataByteLength);
    expect(h.metadata).toEqual(meta);
    expect(Object.keys(h.metadata)).toEqual(['a', 'b']); // written sorted, whatever the input order
    expect(text.startsWith('{"__metadata__":{"a":')).toBe(true);
    expect(h.entries.map((e) => [e.key, e.shape, e.end - e.begin])).toEqual([
      ['ключ', [3, 0], 0],
      ['x', [5], 5],
    ]);
  });
  it('refuses the reserved __metadata__ name and duplicate names', () => {
    expect(() => encodeHeader([{ key: '__metadata__', fileDType: 'U8', shape: [1] }])).toThrow(/reserved/);
    expect(() =>
      encodeHeader([
        { key: 'a', fileDType: 'U8', shape: [1] },
        { key: 'a', fileDType: 'U8', shape: [1] },
      ]),
    ).toThrow(/duplicate tensor name "a"/);
  });
});
