import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DType, type HostArray } from '../dtype.js';
import { DTypeError, DisposedError } from '../errors.js';
import { fromRaw, registerCpuBackend, type Tensor, transpose } from '../index.js';
import { Rng } from '../rng.js';
import { expectNoLeaks } from '../testing/leaks.js';
import { loadSafetensors } from './checkpoint.js';
import { SafetensorsFile } from './file.js';
import { saveSafetensors, saveSafetensorsRaw } from './write.js';

let dir: string;
beforeAll(() => registerCpuBackend());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evejs-safetensors-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Random raw values for `dtype`: every bit pattern is fair game for floats (NaNs, infinities, subnormals). */
function randomRaw(dtype: DType, n: number, rng: Rng): HostArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(Uint32Array.from({ length: n }, () => rng.nextU32()).buffer);
    case 'f16':
    case 'bf16':
      return Uint16Array.from({ length: n }, () => rng.nextU32() & 0xffff);
    case 'i32':
      return Int32Array.from({ length: n }, () => rng.nextU32() | 0);
    case 'u8':
      return Uint8Array.from({ length: n }, () => rng.nextU32() & 0xff);
    case 'bool':
      return Uint8Array.from({ length: n }, () => rng.nextU32() & 1);
  }
}

const bitsOf = (a: HostArray) => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

async function disposeAll(ts: Record<string, Tensor>): Promise<void> {
  for (const t of Object.values(ts)) t.dispose();
}

describe('saveSafetensors → loadSafetensors round trip', () => {
  const cases: [string, DType, number[]][] = [
    ['w.f32', 'f32', [3, 5]],
    ['w.f16', 'f16', [7]],
    ['w.bf16', 'bf16', [2, 3, 2]],
    ['ids.i32', 'i32', [9]],
    ['pixels.u8', 'u8', [2, 2, 3]],
    ['mask.bool', 'bool', [4, 3]],
    ['scalar.f32', 'f32', []],
    ['scalar.bf16', 'bf16', []],
    ['empty.f32', 'f32', [0, 3]],
    ['empty.i32', 'i32', [3, 0, 2]],
    ['one.u8', 'u8', [1, 1]],
  ];

  it('keeps every dtype, shape and bit, and the metadata', async () => {
    const rng = new Rng(1234);
    const raws = Object.fromEntries(cases.map(([k, d, s]) => [k, randomRaw(d, sizeOf(s), rng)]));
    const tensors = Object.fromEntries(cases.map(([k, d, s]) => [k, fromRaw(raws[k]!, s, d)]));
    const path = join(dir, 'rt.safetensors');
    await saveSafetensors(path, tensors, { format: 'evejs', 'note with "quotes"': 'ünïcode ✓\n' });
    await disposeAll(tensors);

    const loaded = await loadSafetensors(path);
    try {
      expect(Object.keys(loaded).sort()).toEqual(cases.map(([k]) => k).sort());
      for (const [k, d, s] of cases) {
        const t = loaded[k]!;
        expect(t.dtype, k).toBe(d);
        expect(t.shape, k).toEqual(s);
        expect(bitsOf(await t.rawData()), k).toEqual(bitsOf(raws[k]!));
      }
    } finally {
      await disposeAll(loaded);
    }
    const f = await SafetensorsFile.open(path);
    expect(f.metadata).toEqual({ format: 'evejs', 'note with "quotes"': 'ünïcode ✓\n' });
    await f.close();
    expect(await readdir(dir)).toEqual(['rt.safetensors']); // the temporary file was renamed away
  });

  it('writes views (a transpose) in row-major order', async () => {
    const x = fromRaw(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], 'f32');
    const xt = transpose(x);
    const path = join(dir, 't.safetensors');
    await saveSafetensors(path, { xt });
    const f = await SafetensorsFile.open(path);
    expect(f.info('xt').shape).toEqual([3, 2]);
    expect([...new Float32Array((await f.readRaw('xt')).buffer)]).toEqual([1, 4, 2, 5, 3, 6]);
    await f.close();
    xt.dispose();
    x.dispose();
  });

  it('overwrites an existing file atomically', async () => {
    const path = join(dir, 'o.safetensors');
    const a = fromRaw(Int32Array.from([1]), [1], 'i32');
    const b = fromRaw(Int32Array.from([2, 3]), [2], 'i32');
    await saveSafetensors(path, { a });
    await saveSafetensors(path, { b });
    const loaded = await loadSafetensors(path);
    expect(Object.keys(loaded)).toEqual(['b']);
    expect([...(await loaded['b']!.rawData())]).toEqual([2, 3]);
    await disposeAll({ a, b, ...loaded });
    expect(await readdir(dir)).toEqual(['o.safetensors']);
  });

  it('refuses a disposed tensor before creating any file', async () => {
    const t = fromRaw(Float32Array.from([1]), [1], 'f32');
    t.dispose();
    await expect(saveSafetensors(join(dir, 'd.safetensors'), { t })).rejects.toThrow(DisposedError);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('reading Tensors', () => {
  async function mixed(): Promise<string> {
    const path = join(dir, 'mixed.safetensors');
    await saveSafetensorsRaw(path, [
      { key: 'bf', fileDType: 'BF16', shape: [3], bytes: async () => new Uint8Array(new Uint16Array([0x3f80, 0xbfc0, 0x4049]).buffer) },
      { key: 'ids', fileDType: 'I64', shape: [2], bytes: async () => new Uint8Array(new BigInt64Array([7n, -8n]).buffer) },
      { key: 'u', fileDType: 'U8', shape: [2], bytes: async () => new Uint8Array([200, 3]) },
    ]);
    return path;
  }

  it('converts dtype while reading (bf16 → f32; everything → f32 via loadSafetensors)', async () => {
    const f = await SafetensorsFile.open(await mixed());
    const bf = await f.read('bf', { dtype: 'f32' });
    expect(bf.dtype).toBe('f32');
    expect([...(await bf.data())]).toEqual([1, -1.5, 3.140625]);
    bf.dispose();
    await f.close();
    const all = await loadSafetensors(join(dir, 'mixed.safetensors'), { dtype: 'f32' });
    expect(Object.values(all).map((t) => t.dtype)).toEqual(['f32', 'f32', 'f32']);
    expect([...(await all['ids']!.data())]).toEqual([7, -8]);
    expect([...(await all['u']!.data())]).toEqual([200, 3]);
    await disposeAll(all);
  });

  it('iterates [key, Tensor] pairs in file order', async () => {
    const f = await SafetensorsFile.open(await mixed());
    const seen: [string, DType, number[]][] = [];
    for await (const [key, t] of f) {
      seen.push([key, t.dtype, [...t.shape]]);
      t.dispose();
    }
    await f.close();
    expect(seen).toEqual([
      ['ids', 'i32', [2]],
      ['bf', 'bf16', [3]],
      ['u', 'u8', [2]],
    ]);
  });

  it('fails loading when an I64 value does not fit i32, naming it, and disposes what was loaded', async () => {
    const path = join(dir, 'big.safetensors');
    await saveSafetensorsRaw(path, [
      { key: 'a.ok', fileDType: 'I64', shape: [2], bytes: async () => new Uint8Array(new BigInt64Array([1n, 2n]).buffer) },
      { key: 'b.too_big', fileDType: 'I64', shape: [2], bytes: async () => new Uint8Array(new BigInt64Array([3n, 1n << 33n]).buffer) },
    ]);
    await expectNoLeaks(async () => {
      const err = await loadSafetensors(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DTypeError);
      expect((err as Error).message).toBe(`${path}: tensor "b.too_big" (I64) element 1 is 8589934592, which does not fit in i32`);
    });
  });

  it('reads on another backend name only if it exists (backend option is passed through)', async () => {
    const f = await SafetensorsFile.open(await mixed());
    const t = await f.read('u', { backend: 'cpu' });
    expect(t.backend).toBe('cpu');
    t.dispose();
    await expect(f.read('u', { backend: 'no-such-backend' })).rejects.toThrow();
    await f.close();
  });

  it('writes nothing but the file (no stray bytes after the last tensor)', async () => {
    const path = await mixed();
    const bytes = await readFile(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(bytes.byteLength).toBe(8 + n + 16 + 6 + 2);
  });
});
