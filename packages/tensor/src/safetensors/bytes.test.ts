import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors.js';
import { registerCpuBackend } from '../cpu/cpu-backend.js';
import { SafetensorsBytes } from './bytes.js';
import { SafetensorsFile } from './file.js';

const GOLDEN = fileURLToPath(new URL('../../test/fixtures/safetensors/golden-without-i64.safetensors', import.meta.url));

describe('SafetensorsBytes', () => {
  registerCpuBackend();

  it('reads the same tensors as SafetensorsFile', async () => {
    const file = await SafetensorsFile.open(GOLDEN);
    const bytes = SafetensorsBytes.parse('golden.safetensors', new Uint8Array(await readFile(GOLDEN)));
    try {
      expect(bytes.keys()).toEqual(file.keys());
      expect(bytes.metadata).toEqual(file.metadata);
      for (const key of file.keys()) {
        expect(bytes.info(key)).toEqual(file.info(key));
        expect(await bytes.readRaw(key)).toEqual(await file.readRaw(key));
      }
    } finally {
      await file.close();
    }
  });

  it('combines shards and refuses a tensor in two of them', async () => {
    const raw = new Uint8Array(await readFile(GOLDEN));
    const a = SafetensorsBytes.parse('a.safetensors', raw);
    const combined = SafetensorsBytes.combine('ckpt', [a]);
    expect(combined.keys()).toEqual(a.keys());
    const key = a.keys()[0]!;
    expect(await combined.readRaw(key)).toEqual(await a.readRaw(key));
    expect(() => SafetensorsBytes.combine('ckpt', [a, SafetensorsBytes.parse('b.safetensors', raw)])).toThrow(/in both a.safetensors and b.safetensors/);
  });

  it('names the input when it is truncated', () => {
    expect(() => SafetensorsBytes.parse('cut.safetensors', new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123]))).toThrow(FormatError);
  });
});
