/**
 * Writing a sharded checkpoint the way Hugging Face does (`huggingface_hub`
 * `split_state_dict_into_shards_factory`, used by transformers' `save_pretrained`): tensors are
 * taken in the given order and a new shard starts when the next tensor would push the current one
 * past `maxShardBytes`; a tensor larger than the limit gets a shard of its own. Shards are named
 * `model-00001-of-00003.safetensors` and listed in `model.safetensors.index.json`; when everything
 * fits in one shard it is written as `model.safetensors` with no index, as HF does.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodePath from 'node:path';
import type { Tensor } from '../tensor.js';
import { writeAll, writeFileAtomically } from './atomic-write.js';
import { fileDTypeBits } from './file-dtype.js';
import { compareUtf8 } from './header.js';
import { INDEX_FILE_NAME } from './sharded.js';
import { rawSourcesOf, saveSafetensorsRaw, type RawTensorSource } from './write.js';
import { nodeBuiltin } from '../node-builtin.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

/** The file name of an unsharded checkpoint. */
export const SINGLE_FILE_NAME = 'model.safetensors';

/** transformers' default `max_shard_size` ("5GB", decimal). */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

/** Options for `saveShardedSafetensors`. */
export interface SaveShardedOptions {
  /** Largest shard in bytes of tensor data (default 5 GB); a single larger tensor gets its own shard. */
  maxShardBytes?: number;
  /** String metadata, written into every shard's `__metadata__` and into the index's `metadata`. */
  metadata?: Record<string, string>;
}

/** Hugging Face's shard file name: `model-00001-of-00003.safetensors` (1-based). */
export function shardFileName(shard: number, shardCount: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `model-${pad(shard)}-of-${pad(shardCount)}.safetensors`;
}

/** Splits `[key, byteLength]` pairs, in order, into shards of at most `maxShardBytes` (HF's rule). */
export function planShards(sizes: ReadonlyArray<readonly [string, number]>, maxShardBytes: number): string[][] {
  const shards: string[][] = [];
  let current: string[] = [];
  let currentBytes = 0;
  for (const [key, bytes] of sizes) {
    if (bytes > maxShardBytes) {
      shards.push([key]);
      continue;
    }
    if (currentBytes + bytes > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(key);
    currentBytes += bytes;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

/**
 * Saves tensors into `dir` as a Hugging Face sharded checkpoint (see the file comment), one shard
 * and one tensor at a time. Each file appears atomically, the index last. Shard files and an
 * index left in `dir` by an earlier save with a different shard count are removed afterwards.
 * @example await saveShardedSafetensors('out', params, { maxShardBytes: 2e9 });
 */
export async function saveShardedSafetensors(
  dir: string,
  tensors: Record<string, Tensor>,
  opts: SaveShardedOptions = {},
): Promise<void> {
  const sources = rawSourcesOf(tensors);
  const byKey = new Map(sources.map((s) => [s.key, s]));
  const sizes = sources.map((s) => [s.key, byteLengthOf(s)] as const);
  const plan = planShards(sizes, opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES);
  const written = new Set<string>();

  if (plan.length <= 1) {
    await saveSafetensorsRaw(nodePath.join(dir, SINGLE_FILE_NAME), sources, opts.metadata);
    written.add(SINGLE_FILE_NAME);
  } else {
    const weightMap: Record<string, string> = {};
    for (const [i, keys] of plan.entries()) {
      const name = shardFileName(i + 1, plan.length);
      await saveSafetensorsRaw(nodePath.join(dir, name), keys.map((k) => byKey.get(k)!), opts.metadata);
      for (const k of keys) weightMap[k] = name;
      written.add(name);
    }
    const totalSize = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
    const index = {
      metadata: sortKeys({ ...opts.metadata, total_size: totalSize }),
      weight_map: sortKeys(weightMap),
    };
    // transformers writes json.dumps(index, indent=2, sort_keys=True) + "\n".
    const text = `${JSON.stringify(index, null, 2)}\n`;
    await writeFileAtomically(nodePath.join(dir, INDEX_FILE_NAME), (h) => writeAll(h, new TextEncoder().encode(text)));
    written.add(INDEX_FILE_NAME);
  }
  await removeStaleCheckpointFiles(dir, written);
}

function byteLengthOf(s: RawTensorSource): number {
  return (s.shape.reduce((a, b) => a * b, 1) * fileDTypeBits(s.fileDType)) / 8;
}

function sortKeys<V>(o: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => compareUtf8(a, b)));
}

const CHECKPOINT_FILE = /^(model\.safetensors|model\.safetensors\.index\.json|model-\d{5}-of-\d{5}\.safetensors)$/;

async function removeStaleCheckpointFiles(dir: string, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await nodeFs.readdir(dir)) {
    if (CHECKPOINT_FILE.test(name) && !keep.has(name)) await nodeFs.rm(nodePath.join(dir, name), { force: true });
  }
}
