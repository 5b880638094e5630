/**
 * Byte strings that the reference implementation's own test suites assert it writes
 * (huggingface/safetensors at 24b0b2857fef49be734b9ab72ce97c09bb25f5b9: `safetensors/src/tensor.rs`
 * and `bindings/python/tests/test_pt_comparison.py`). Unlike our golden file, these bytes were
 * produced by the reference itself, so they pin our writer to it; we must also read them back.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './file.js';
import type { FileDType } from './file-dtype.js';
import { saveSafetensorsRaw } from './write.js';

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const F32_0_TO_5 = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);

interface Vector {
  name: string;
  tensors: { key: string; fileDType: FileDType; shape: number[]; bytes: Uint8Array }[];
  metadata?: Record<string, string>;
  expected: Uint8Array;
}

const VECTORS: Vector[] = [
  {
    name: 'tensor.rs test_serialization',
    tensors: [{ key: 'attn.0', fileDType: 'F32', shape: [1, 2, 3], bytes: F32_0_TO_5 }],
    expected: cat(
      new Uint8Array([
        64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58,
        34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116,
        97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
        0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
      ]),
    ),
  },
  {
    name: 'tensor.rs test_serialization_forced_alignement',
    tensors: [{ key: 'attn0', fileDType: 'F32', shape: [1, 1, 2, 3], bytes: F32_0_TO_5 }],
    expected: new Uint8Array([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34,
      70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116,
      97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32,
      0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]),
  },
  {
    name: 'tensor.rs test_empty',
    tensors: [],
    expected: new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]),
  },
  {
    name: 'tensor.rs test_empty with metadata',
    tensors: [],
    metadata: { framework: 'pt' },
    expected: new Uint8Array([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114,
      97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]),
  },
  {
    name: 'test_pt_comparison.py test_serialization (I32)',
    tensors: [{ key: 'test', fileDType: 'I32', shape: [2, 2], bytes: new Uint8Array(new Int32Array([0, 0, 0, 1]).buffer) }],
    expected: latin1(
      '@\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}   ' +
        ' \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00',
    ),
  },
  {
    name: 'test_pt_comparison.py test_serialization (BF16)',
    tensors: [{ key: 'test', fileDType: 'BF16', shape: [2, 2], bytes: new Uint8Array(new Uint16Array([0x4010, 0x3f80, 0x3f80, 0x3f80]).buffer) }],
    expected: latin1('@\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}    \x10@\x80?\x80?\x80?'),
  },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evejs-safetensors-ref-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reference-asserted bytes', () => {
  it.each(VECTORS)('$name: we write exactly these bytes', async (v) => {
    const path = join(dir, 'out.safetensors');
    await saveSafetensorsRaw(
      path,
      v.tensors.map((t) => ({ ...t, bytes: async () => t.bytes })),
      v.metadata,
    );
    expect(new Uint8Array(await readFile(path))).toEqual(v.expected);
  });

  it.each(VECTORS)('$name: we read them back', async (v) => {
    const path = join(dir, 'in.safetensors');
    await writeFile(path, v.expected);
    const f = await SafetensorsFile.open(path);
    try {
      expect(f.metadata).toEqual(v.metadata ?? {});
      expect(f.keys()).toEqual(v.tensors.map((t) => t.key));
      for (const t of v.tensors) {
        expect(f.info(t.key).shape).toEqual(t.shape);
        expect(await f.readRaw(t.key)).toEqual(t.bytes);
      }
    } finally {
      await f.close();
    }
  });

  it('reads the reference’s zero-sized tensor example (test_zero_sized_tensor)', async () => {
    const path = join(dir, 'zero.safetensors');
    await writeFile(path, latin1('<\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}'));
    const f = await SafetensorsFile.open(path);
    expect(f.info('test')).toEqual({ dtype: 'i32', fileDType: 'I32', shape: [2, 0], byteLength: 0 });
    await f.close();
  });
});
