import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DTypeError, EveError, FormatError } from '../errors.js';
import { SafetensorsFile } from './file.js';
import { saveSafetensorsRaw } from './write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evejs-safetensors-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const enc = (s: string) => new TextEncoder().encode(s);

/** A file made by hand: an 8-byte length (default: the header's), the header text, then data. */
async function craft(name: string, header: string, data: Uint8Array | number = 0, length?: bigint): Promise<string> {
  const h = enc(header);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, length ?? BigInt(h.byteLength), true);
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const path = join(dir, name);
  await writeFile(path, Buffer.concat([prefix, h, body]));
  return path;
}

async function expectOpenFails(path: string, problem: RegExp): Promise<void> {
  const err = await SafetensorsFile.open(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FormatError);
  expect((err as FormatError).file).toBe(path);
  expect((err as Error).message).toMatch(problem);
}

describe('SafetensorsFile.open on corrupt files', () => {
  const I32_2x2 = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
  it('an empty file', async () => {
    const p = join(dir, 'empty.safetensors');
    await writeFile(p, new Uint8Array(0));
    await expectOpenFails(p, /truncated: 0 bytes is shorter than the 8-byte header length/);
  });
  it('a file shorter than the 8-byte length', async () => {
    const p = join(dir, 'short.safetensors');
    await writeFile(p, new Uint8Array([1, 2, 3, 4, 5]));
    await expectOpenFails(p, /truncated: 5 bytes/);
  });
  it('a file shorter than its header (reference test_invalid_header_length)', async () => {
    const p = join(dir, 'h.safetensors');
    await writeFile(p, Buffer.from('<\x00\x00\x00\x00\x00\x00\x00', 'latin1'));
    await expectOpenFails(p, /header length 60 runs past the end of the 8-byte file/);
  });
  it('a header length beyond the file by a cut in the header', async () => {
    await expectOpenFails(await craft('cut.safetensors', I32_2x2.slice(0, 30), 0, 61n), /header length 61 runs past/);
  });
  it('an absurd header length (reference test_header_too_large)', async () => {
    await expectOpenFails(await craft('big.safetensors', I32_2x2, 16, 0xffffff00_0000003cn), /exceeds the 100000000-byte limit/);
  });
  it('a header that is not JSON', async () => {
    await expectOpenFails(await craft('nj.safetensors', '{"a":'), /header: not valid JSON/);
  });
  it('a header that is JSON but not an object', async () => {
    await expectOpenFails(await craft('arr.safetensors', '[1,2]'), /not a JSON object/);
  });
  it('truncated tensor data (reference test_metadata_incomplete_buffer, second case)', async () => {
    await expectOpenFails(await craft('td.safetensors', I32_2x2, 14), /tensors need 16 bytes of data but the file has 14/);
  });
  it('trailing bytes (a polyglot file)', async () => {
    await expectOpenFails(await craft('tr.safetensors', I32_2x2, enc('\0'.repeat(16) + 'extra_bogus_data_for_polyglot_file')), /34 trailing bytes/);
  });
  it('an unknown dtype', async () => {
    await expectOpenFails(await craft('ud.safetensors', '{"t":{"dtype":"Q4_K","shape":[2],"data_offsets":[0,2]}}', 2), /tensor "t": unknown dtype "Q4_K"/);
  });
  it('a shape that does not match the byte count', async () => {
    await expectOpenFails(await craft('sm.safetensors', '{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}', 16), /needs 12 bytes but data_offsets \[0, 16\] hold 16/);
  });
  it('a negative and a non-integer dim', async () => {
    await expectOpenFails(await craft('neg.safetensors', '{"t":{"dtype":"U8","shape":[-2],"data_offsets":[0,0]}}'), /has -2, not a non-negative integer/);
    await expectOpenFails(await craft('frac.safetensors', '{"t":{"dtype":"U8","shape":[2.5],"data_offsets":[0,2]}}', 2), /has 2.5/);
  });
  it('overlapping, out-of-range and gapped offsets', async () => {
    const two = (a: string, b: string) =>
      `{"a":{"dtype":"U8","shape":[4],"data_offsets":${a}},"b":{"dtype":"U8","shape":[4],"data_offsets":${b}}}`;
    await expectOpenFails(await craft('ov.safetensors', two('[0,4]', '[3,7]'), 7), /overlapping tensors: "b" \[3, 7\) overlaps "a"/);
    await expectOpenFails(await craft('oor.safetensors', two('[0,4]', '[4,8]'), 6), /tensors need 8 bytes of data but the file has 6/);
    await expectOpenFails(await craft('gap.safetensors', two('[0,4]', '[5,9]'), 9), /gap in the data region: tensor "b" starts at byte 5/);
  });
  it('duplicate keys', async () => {
    const dup = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    await expectOpenFails(await craft('dup.safetensors', dup, 1), /duplicate key "a"/);
  });
  it.runIf(process.platform === 'linux')('closes the file handle when the header is bad', async () => {
    const p = await craft('nj2.safetensors', '{');
    const before = (await readdir('/proc/self/fd')).length;
    for (let i = 0; i < 5; i++) await expectOpenFails(p, /not valid JSON/);
    expect((await readdir('/proc/self/fd')).length).toBe(before);
  });
});

describe('SafetensorsFile lazy reads', () => {
  async function sample(): Promise<string> {
    const p = join(dir, 'sample.safetensors');
    const u8 = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff);
    const f32 = new Float32Array([0.5, -1.25, 3e38, -0]);
    const f64 = new Float64Array([Math.PI]);
    await saveSafetensorsRaw(
      p,
      [
        { key: 'bytes', fileDType: 'U8', shape: [10, 100], bytes: async () => u8 },
        { key: 'floats', fileDType: 'F32', shape: [2, 2], bytes: async () => new Uint8Array(f32.buffer) },
        { key: 'double', fileDType: 'F64', shape: [], bytes: async () => new Uint8Array(f64.buffer) },
        { key: 'none', fileDType: 'BF16', shape: [0, 3], bytes: async () => new Uint8Array(0) },
      ],
      { note: 'lazy' },
    );
    return p;
  }

  it('reads only the 8-byte length and header on open, then exactly each tensor on demand', async () => {
    const p = await sample();
    const probe = await open(p, 'r');
    const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const read = vi.spyOn(proto, 'read');
    const f = await SafetensorsFile.open(p);
    try {
      const headerReads = read.mock.calls.map((c) => [c[2], c[3]]); // (length, position)
      expect(headerReads[0]).toEqual([8, 0]);
      expect(headerReads).toHaveLength(2);
      read.mockClear();
      const bytes = await f.readRaw('bytes');
      expect(bytes.byteLength).toBe(1000);
      expect(bytes.buffer.byteLength).toBe(1000); // a fresh buffer of exactly the tensor's size
      expect(bytes[999]).toBe((999 * 7 + 3) & 0xff);
      const total = read.mock.calls.reduce((s, c) => s + (c[2] as number), 0);
      expect(total).toBe(1000);
    } finally {
      await f.close();
    }
  });

  it('describes tensors without reading them, in file order', async () => {
    const f = await SafetensorsFile.open(await sample());
    try {
      expect(f.keys()).toEqual(['double', 'floats', 'none', 'bytes']); // F64, F32, BF16, U8: reference layout
      expect(f.metadata).toEqual({ note: 'lazy' });
      expect(f.has('floats')).toBe(true);
      expect(f.has('nope')).toBe(false);
      expect(f.info('floats')).toEqual({ dtype: 'f32', fileDType: 'F32', shape: [2, 2], byteLength: 16 });
      expect(f.info('none')).toEqual({ dtype: 'bf16', fileDType: 'BF16', shape: [0, 3], byteLength: 0 });
      expect(() => f.info('double')).toThrow(DTypeError);
      expect(new Float64Array((await f.readRaw('double')).buffer)[0]).toBe(Math.PI); // raw bytes still readable
      expect(new Float32Array((await f.readRaw('floats')).buffer)).toEqual(new Float32Array([0.5, -1.25, 3e38, -0]));
      expect((await f.readRaw('none')).byteLength).toBe(0);
      expect(() => f.info('nope')).toThrow(/no tensor named "nope"/);
      await expect(f.readRaw('nope')).rejects.toThrow(EveError);
      const [a, b] = await Promise.all([f.readRaw('bytes'), f.readRaw('floats')]); // concurrent positioned reads
      expect(a.byteLength + b.byteLength).toBe(1016);
    } finally {
      await f.close();
    }
  });

  it('fails reads after close, and close is idempotent', async () => {
    const f = await SafetensorsFile.open(await sample());
    await f.close();
    await f.close();
    await expect(f.readRaw('bytes')).rejects.toThrow(/read after close/);
  });

  it('writes atomically: no temporary file is left, and a failed write leaves the old file', async () => {
    const p = await sample();
    const failing = saveSafetensorsRaw(p, [
      { key: 'x', fileDType: 'U8', shape: [4], bytes: async () => new Uint8Array(3) }, // wrong size
    ]);
    await expect(failing).rejects.toThrow(/tensor "x" gave 3 bytes, expected 4/);
    expect(await readdir(dir)).toEqual(['sample.safetensors']);
    const f = await SafetensorsFile.open(p);
    expect(f.keys()).toHaveLength(4);
    await f.close();
  });
});
