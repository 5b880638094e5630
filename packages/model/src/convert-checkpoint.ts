/**
 * Converting a checkpoint folder's weights to safetensors (the `eve convert` command): PyTorch
 * `.bin` shards (or safetensors) in, Hugging Face-style safetensors shards + index out, tensor by
 * tensor with the stored bytes copied as they are (BF16 stays BF16: lossless), and the small
 * files (configs, tokenizer) copied alongside. Optionally drops the training-only tensors
 * (CLIP teacher, aligning layer, inv_freq), which shrinks EVE-7B by about 0.7 GB.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodePath from 'node:path';
import { EveError, type FileDType, nodeBuiltin, saveSafetensorsRaw } from '@evejs/tensor';
import { openWeights, SKIPPED_KEY_PATTERNS } from './load-pretrained.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

export interface ConvertOptions {
  /** Largest shard in bytes (default 5 GB, transformers' default); one bigger tensor gets its own shard. */
  maxShardBytes?: number;
  /** Leave out the tensors inference does not use (default false: keep everything). */
  dropTrainingOnly?: boolean;
  /** Progress (default: none). */
  log?: (message: string) => void;
}

/** Files copied next to the converted weights when present. */
const SIDE_FILES = /^(config\.json|generation_config\.json|preprocessor_config\.json|special_tokens_map\.json|tokenizer\.model|tokenizer\.json|tokenizer_config\.json|added_tokens\.json)$/;

/** Converts `dir`'s weights into safetensors in `out`; returns the number of tensors and bytes written. */
export async function convertCheckpoint(dir: string, out: string, opts: ConvertOptions = {}): Promise<{ tensors: number; bytes: number; dropped: number }> {
  const maxShard = opts.maxShardBytes ?? 5_000_000_000;
  const log = opts.log ?? (() => {});
  await nodeFs.mkdir(out, { recursive: true });
  const reader = await openWeights(dir);
  try {
    const keys = reader.keys().filter((k) => !(opts.dropTrainingOnly && SKIPPED_KEY_PATTERNS.some((p) => p.test(k))));
    const dropped = reader.keys().length - keys.length;
    // transformers' sharding rule: fill a shard until the next tensor would overflow it
    const shards: string[][] = [];
    let current: string[] = [];
    let size = 0;
    let total = 0;
    for (const k of keys) {
      const b = reader.info(k).byteLength;
      total += b;
      if (current.length > 0 && size + b > maxShard) {
        shards.push(current);
        current = [];
        size = 0;
      }
      current.push(k);
      size += b;
    }
    if (current.length > 0) shards.push(current);
    if (shards.length === 0) throw new EveError(`${dir}: no tensors to convert`);
    const weightMap: Record<string, string> = {};
    for (const [i, shardKeys] of shards.entries()) {
      const pad = (n: number) => String(n).padStart(5, '0');
      const name = shards.length === 1 ? 'model.safetensors' : `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`;
      log(`writing ${name} (${shardKeys.length} tensors)`);
      const sources = shardKeys.map((key) => {
        const info = reader.info(key);
        return { key, fileDType: info.fileDType as FileDType, shape: info.shape, bytes: () => reader.readRaw(key) };
      });
      await saveSafetensorsRaw(nodePath.join(out, name), sources, { format: 'pt' });
      for (const k of shardKeys) weightMap[k] = name;
    }
    if (shards.length > 1) {
      const sorted = Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      await nodeFs.writeFile(nodePath.join(out, 'model.safetensors.index.json'), `${JSON.stringify({ metadata: { total_size: total }, weight_map: sorted }, null, 2)}\n`);
    }
    for (const name of await nodeFs.readdir(dir)) {
      if (SIDE_FILES.test(name)) await nodeFs.copyFile(nodePath.join(dir, name), nodePath.join(out, name));
    }
    return { tensors: keys.length, bytes: total, dropped };
  } finally {
    await reader.close();
  }
}
