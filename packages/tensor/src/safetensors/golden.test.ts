/**
 * Compatibility with the reference format: the golden files in test/fixtures/safetensors were made
 * by tools/safetensors-fixtures/make_golden.py (see its docstring for provenance and its limits).
 * We must read them exactly and write byte-identical files from the same tensors.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerCpuBackend } from '../cpu/cpu-backend.js';
import { expectNoLeaks } from '../testing/leaks.js';
import { loadSafetensors } from './checkpoint.js';
import { SafetensorsFile } from './file.js';
import type { FileDType } from './file-dtype.js';
import { saveSafetensors, saveSafetensorsRaw } from './write.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/safetensors/', import.meta.url));
const GOLDEN = join(FIXTURES, 'golden.safetensors');
const GOLDEN_WITHOUT_I64 = join(FIXTURES, 'golden-without-i64.safetensors');

interface GoldenTensor {
  dtype: FileDType;
  shape: number[];
  /** Exact values: float bit patterns as unsigned ints, integers as themselves. */
  values: number[];
}
interface Golden {
  metadata: Record<string, string>;
  tensors: Record<string, GoldenTensor>;
}

/** The little-endian bytes the golden's values stand for. */
function bytesOf(t: GoldenTensor): Uint8Array {
  switch (t.dtype) {
    case 'F32':
      return new Uint8Array(Uint32Array.from(t.values).buffer);
    case 'F16':
    case 'BF16':
      return new Uint8Array(Uint16Array.from(t.values).buffer);
    case 'I32':
      return new Uint8Array(Int32Array.from(t.values).buffer);
    case 'I64':
      return new Uint8Array(BigInt64Array.from(t.values.map(BigInt)).buffer);
    case 'U8':
    case 'BOOL':
      return Uint8Array.from(t.values);
    default:
      throw new Error(`golden.json: unexpected dtype ${t.dtype}`);
  }
}

let golden: Golden;
let dir: string;
beforeAll(async () => {
  golden = JSON.parse(await readFile(join(FIXTURES, 'golden.json'), 'utf8')) as Golden;
  registerCpuBackend();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evejs-safetensors-golden-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading the golden', () => {
  it('lists every tensor in the reference layout order, with metadata', async () => {
    const f = await SafetensorsFile.open(GOLDEN);
    try {
      expect(f.metadata).toEqual({ format: 'pt' });
      // I64, then F32 by name, I32, BF16 by name, F16, U8, BOOL.
      expect(f.keys()).toEqual([
        'position_ids',
        'empty',
        'logit_scale',
        'model.embed.weight',
        'positions',
        'model.layers.0.mlp.bias',
        'model.layers.0.mlp.weight',
        'model.norm.weight',
        'pixels',
        'mask',
      ]);
      expect(new Set(f.keys())).toEqual(new Set(Object.keys(golden.tensors)));
    } finally {
      await f.close();
    }
  });

  it('gives every tensor’s exact bytes, dtype and shape', async () => {
    const f = await SafetensorsFile.open(GOLDEN);
    try {
      for (const [key, t] of Object.entries(golden.tensors)) {
        const info = f.info(key);
        expect(info.fileDType, key).toBe(t.dtype);
        expect(info.shape, key).toEqual(t.shape);
        expect(await f.readRaw(key), key).toEqual(bytesOf(t));
      }
      expect(f.info('position_ids').dtype).toBe('i32');
      expect(f.info('logit_scale').shape).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('loads Tensors with the exact values (I64 narrowed to i32), and converts bf16 → f32 on request', async () => {
    const tensors = await loadSafetensors(GOLDEN);
    try {
      for (const [key, t] of Object.entries(golden.tensors)) {
        const x = tensors[key]!;
        expect(x.shape, key).toEqual(t.shape);
        const raw = await x.rawData();
        if (t.dtype === 'F32') expect([...new Uint32Array(raw.buffer, raw.byteOffset, raw.length)], key).toEqual(t.values);
        else expect([...raw], key).toEqual(t.values);
      }
      expect(tensors['position_ids']!.dtype).toBe('i32');
      expect(tensors['mask']!.dtype).toBe('bool');
      expect(tensors['model.norm.weight']!.dtype).toBe('f16');
      expect(tensors['model.layers.0.mlp.weight']!.dtype).toBe('bf16');
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
    const f = await SafetensorsFile.open(GOLDEN);
    try {
      const w = await f.read('model.layers.0.mlp.weight', { dtype: 'f32' });
      expect(w.dtype).toBe('f32');
      const bits = golden.tensors['model.layers.0.mlp.weight']!.values;
      expect([...(await w.data())]).toEqual(bits.map((b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]));
      w.dispose();
    } finally {
      await f.close();
    }
  });
});

describe('writing the golden again', () => {
  it('is byte-identical from raw bytes, whatever the input order', async () => {
    const sources = Object.entries(golden.tensors)
      .reverse()
      .map(([key, t]) => ({ key, fileDType: t.dtype, shape: t.shape, bytes: async () => bytesOf(t) }));
    const out = join(dir, 'raw.safetensors');
    await saveSafetensorsRaw(out, sources, golden.metadata);
    expect(await readFile(out)).toEqual(await readFile(GOLDEN));
  });

  it('is byte-identical from Tensors (every dtype evejs writes), and leaks nothing', async () => {
    await expectNoLeaks(async () => {
      const tensors = await loadSafetensors(GOLDEN);
      try {
        const out = join(dir, 'tensors.safetensors');
        const { position_ids: i64, ...writable } = tensors;
        i64?.dispose();
        await saveSafetensors(out, writable, { format: 'pt' });
        expect(await readFile(out)).toEqual(await readFile(GOLDEN_WITHOUT_I64));
      } finally {
        for (const t of Object.values(tensors)) t.dispose();
      }
    });
  });
});
