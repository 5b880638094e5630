import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EveError, FormatError } from '../errors.js';
import { fromRaw, registerCpuBackend, type Tensor } from '../index.js';
import { Rng } from '../rng.js';
import { loadSafetensors, openCheckpoint } from './checkpoint.js';
import { SafetensorsFile } from './file.js';
import { INDEX_FILE_NAME, parseSafetensorsIndex, ShardedSafetensors } from './sharded.js';
import { planShards, saveShardedSafetensors, shardFileName } from './write-sharded.js';
import { saveSafetensorsRaw } from './write.js';

let dir: string;
beforeAll(() => registerCpuBackend());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evejs-safetensors-sharded-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Tensors in a fixed insertion order, with seeded random values; sizes in bytes in the comments. */
function model(): Record<string, Tensor> {
  const rng = new Rng(7);
  const f32 = (shape: number[]) => fromRaw(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, 'f32');
  return {
    'model.embed_tokens.weight': f32([4, 8]), // 128
    'model.layers.0.input_layernorm.weight': fromRaw(Uint16Array.from({ length: 8 }, () => rng.nextU32() & 0xffff), [8], 'bf16'), // 16
    'model.layers.0.mlp.down_proj.weight': f32([8, 4]), // 128
    'model.layers.0.mlp.up_proj.weight': f32([4, 8]), // 128
    'model.norm.weight': f32([8]), // 32
    'lm_head.weight': f32([10, 8]), // 320: larger than the limit below, so it gets its own shard
    'position_ids': fromRaw(Int32Array.from([0, 1, 2, 3]), [4], 'i32'), // 16
  };
}

async function expectSameTensors(a: Record<string, Tensor>, b: Record<string, Tensor>): Promise<void> {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const [k, t] of Object.entries(a)) {
    const u = b[k]!;
    expect([u.dtype, u.shape], k).toEqual([t.dtype, t.shape]);
    expect(await u.rawData(), k).toEqual(await t.rawData());
  }
}

const dispose = (ts: Record<string, Tensor>) => Object.values(ts).forEach((t) => t.dispose());

describe('planShards and shardFileName', () => {
  it('follows Hugging Face: fill in order, start a new shard before overflowing, oversized tensors alone', () => {
    const sizes: [string, number][] = [
      ['a', 40],
      ['b', 50],
      ['c', 20],
      ['big', 500],
      ['d', 100],
      ['e', 1],
    ];
    expect(planShards(sizes, 100)).toEqual([['a', 'b'], ['big'], ['c'], ['d'], ['e']]);
    expect(planShards(sizes, 1000)).toEqual([['a', 'b', 'c', 'big', 'd', 'e']]);
    expect(planShards([], 10)).toEqual([]);
  });
  it('names shards like transformers', () => {
    expect(shardFileName(1, 3)).toBe('model-00001-of-00003.safetensors');
    expect(shardFileName(12, 100)).toBe('model-00012-of-00100.safetensors');
  });
});

describe('saveShardedSafetensors → ShardedSafetensors', () => {
  it('splits at maxShardBytes, writes an HF index, and reads everything back', async () => {
    const tensors = model();
    await saveShardedSafetensors(dir, tensors, { maxShardBytes: 300, metadata: { format: 'pt' } });
    // 128+16+128 = 272, and +128 would pass 300, so up_proj opens the next shard; lm_head (320 > 300)
    // is emitted alone at once, while the open shard (up_proj, norm) goes on to take position_ids.
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      INDEX_FILE_NAME,
    ]);
    const indexText = await readFile(join(dir, INDEX_FILE_NAME), 'utf8');
    const index = JSON.parse(indexText) as { metadata: Record<string, unknown>; weight_map: Record<string, string> };
    expect(index.metadata).toEqual({ format: 'pt', total_size: 768 });
    expect(Object.keys(index.weight_map)).toEqual(Object.keys(tensors).sort());
    expect(index.weight_map['model.layers.0.input_layernorm.weight']).toBe('model-00001-of-00003.safetensors');
    expect(index.weight_map['lm_head.weight']).toBe('model-00002-of-00003.safetensors');
    expect(index.weight_map['model.layers.0.mlp.up_proj.weight']).toBe('model-00003-of-00003.safetensors');
    expect(index.weight_map['position_ids']).toBe('model-00003-of-00003.safetensors');
    expect(indexText.endsWith('}\n')).toBe(true);
    expect(indexText).toContain('\n  "metadata": {\n    "format": "pt",');

    const ckpt = await openCheckpoint(dir);
    try {
      expect(ckpt).toBeInstanceOf(ShardedSafetensors);
      const sharded = ckpt as ShardedSafetensors;
      expect(sharded.metadata).toEqual({ format: 'pt', total_size: '768' });
      expect(sharded.keys()).toEqual([
        'model.embed_tokens.weight',
        'model.layers.0.mlp.down_proj.weight',
        'model.layers.0.input_layernorm.weight', // shard 1 in its file order (F32 before BF16)
        'lm_head.weight',
        'model.layers.0.mlp.up_proj.weight', // shard 3: F32 by name, then I32
        'model.norm.weight',
        'position_ids',
      ]);
      expect(sharded.shardOf('lm_head.weight')).toBe('model-00002-of-00003.safetensors');
      expect(sharded.info('model.layers.0.input_layernorm.weight')).toEqual({ dtype: 'bf16', fileDType: 'BF16', shape: [8], byteLength: 16 });
      expect((await sharded.readRaw('position_ids')).byteLength).toBe(16);
      expect(() => sharded.info('nope')).toThrow(EveError);
      const seen: string[] = [];
      for await (const [key, t] of sharded) {
        seen.push(key);
        expect(await t.rawData()).toEqual(await tensors[key]!.rawData());
        t.dispose();
      }
      expect(seen).toEqual(sharded.keys());
    } finally {
      await ckpt.close();
    }
    const shard = await SafetensorsFile.open(join(dir, 'model-00003-of-00003.safetensors'));
    expect(shard.metadata).toEqual({ format: 'pt' });
    await shard.close();

    for (const path of [dir, join(dir, INDEX_FILE_NAME)]) {
      const loaded = await loadSafetensors(path);
      await expectSameTensors(tensors, loaded);
      dispose(loaded);
    }
    dispose(tensors);
  });

  it('writes a single model.safetensors when everything fits, replacing an older sharded save', async () => {
    const tensors = model();
    await saveShardedSafetensors(dir, tensors, { maxShardBytes: 200 });
    expect((await readdir(dir)).length).toBeGreaterThan(2);
    await writeFile(join(dir, 'config.json'), '{}'); // not ours: must survive
    await saveShardedSafetensors(dir, tensors);
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors']);
    const ckpt = await openCheckpoint(dir);
    expect(ckpt).toBeInstanceOf(SafetensorsFile);
    await ckpt.close();
    const loaded = await loadSafetensors(dir);
    await expectSameTensors(tensors, loaded);
    dispose(loaded);
    dispose(tensors);
  });
});

describe('bad sharded checkpoints', () => {
  async function twoShards(): Promise<string> {
    const one = (key: string) => [{ key, fileDType: 'U8' as const, shape: [2], bytes: async () => new Uint8Array([1, 2]) }];
    await saveSafetensorsRaw(join(dir, 's1.safetensors'), one('a'));
    await saveSafetensorsRaw(join(dir, 's2.safetensors'), one('b'));
    return join(dir, INDEX_FILE_NAME);
  }
  async function expectOpenFails(index: string, text: string, problem: RegExp): Promise<void> {
    await writeFile(index, text);
    const err = await ShardedSafetensors.open(index).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).file).toBe(index);
    expect((err as Error).message).toMatch(problem);
  }

  it('opens a good one', async () => {
    const index = await twoShards();
    await writeFile(index, JSON.stringify({ metadata: {}, weight_map: { b: 's2.safetensors', a: 's1.safetensors' } }));
    const s = await ShardedSafetensors.open(index);
    expect(s.keys()).toEqual(['a', 'b']);
    await s.close();
  });
  it('a missing shard file', async () => {
    await expectOpenFails(await twoShards(), '{"weight_map":{"a":"s1.safetensors","b":"s3.safetensors"}}', /shard "s3.safetensors" \(holding tensor "b"\) does not exist/);
  });
  it('a key the index promises but its shard lacks', async () => {
    await expectOpenFails(await twoShards(), '{"weight_map":{"a":"s1.safetensors","c":"s2.safetensors"}}', /weight_map puts tensor "c" in "s2.safetensors", which has no such tensor/);
  });
  it('an index that is not JSON, not an object, or has no weight_map', async () => {
    const index = await twoShards();
    await expectOpenFails(index, '{"weight_map":', /index: not valid JSON/);
    await expectOpenFails(index, '[]', /index is not a JSON object/);
    await expectOpenFails(index, '{"metadata":{}}', /no "weight_map" object/);
  });
  it('a shard name that is not a string or leaves the folder', async () => {
    const index = await twoShards();
    await expectOpenFails(index, '{"weight_map":{"a":3}}', /weight_map\["a"\] must be a shard file name \(got 3\)/);
    await expectOpenFails(index, '{"weight_map":{"a":"../s1.safetensors"}}', /outside the index's folder/);
    await expectOpenFails(index, '{"weight_map":{"a":"/etc/passwd"}}', /outside the index's folder/);
  });
  it('a tensor listed twice in the index', async () => {
    await expectOpenFails(await twoShards(), '{"weight_map":{"a":"s1.safetensors","a":"s2.safetensors"}}', /duplicate key "a" inside "weight_map"/);
  });
  it('a corrupt shard is reported against the shard file', async () => {
    const index = await twoShards();
    await writeFile(join(dir, 's2.safetensors'), new Uint8Array(3));
    await writeFile(index, '{"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}}');
    const err = await ShardedSafetensors.open(index).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).file).toBe(join(dir, 's2.safetensors'));
  });
  it('parseSafetensorsIndex stringifies non-string metadata', () => {
    expect(parseSafetensorsIndex('i', '{"metadata":{"total_size":12,"x":"y"},"weight_map":{}}').metadata).toEqual({ total_size: '12', x: 'y' });
  });
});

describe('openCheckpoint on folders', () => {
  it('finds a lone .safetensors file of any name', async () => {
    await saveSafetensorsRaw(join(dir, 'weights.safetensors'), []);
    const c = await openCheckpoint(dir);
    expect(c.path).toBe(join(dir, 'weights.safetensors'));
    await c.close();
  });
  it('refuses an ambiguous or empty folder', async () => {
    await mkdir(join(dir, 'empty'));
    await expect(openCheckpoint(join(dir, 'empty'))).rejects.toThrow(/no .safetensors file or .safetensors.index.json/);
    await saveSafetensorsRaw(join(dir, 'a.safetensors'), []);
    await saveSafetensorsRaw(join(dir, 'b.safetensors'), []);
    await expect(openCheckpoint(dir)).rejects.toThrow(/several checkpoints \(a.safetensors, b.safetensors\)/);
  });
});
