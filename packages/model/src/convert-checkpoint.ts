/**
 * Converting a checkpoint folder's weights to safetensors (the `eve convert` command): PyTorch
 * `.bin` shards (or safetensors) in, Hugging Face-style safetensors shards + index out, tensor by
 * tensor with the stored bytes copied as they are (BF16 stays BF16: lossless), and the small
 * files (configs, tokenizer) copied alongside. Optionally drops the training-only tensors
 * (CLIP teacher, aligning layer, inv_freq), which shrinks EVE-7B by about 0.7 GB.
 *
 * With `quantize` (q8_0 / q4_0) the copy is quantised instead: every matrix the model reads with
 * quantised kernels (Linear weights and embedding tables whose rows are whole 32-value blocks,
 * found by building the model from config.json) is written as `<key>.quants` (I32) +
 * `<key>.scales` (F16), with the format in the header metadata (`evejs_quantization`); everything
 * else is copied as stored. `loadPretrained` loads such a copy as it is. Training-only tensors are
 * dropped (a quantised copy is for inference).
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodePath from 'node:path';
import {
  EveError,
  type FileDType,
  hostArrayFromBytes,
  hostReader,
  nodeBuiltin,
  QUANT_BLOCK,
  type QuantFormat,
  quantizedByteLength,
  quantizeHost,
  type RawTensorSource,
  saveSafetensorsRaw,
  type SafetensorsReader,
  valuesPerWord,
} from '@evejs/tensor';
import { parseEveConfig } from './eve-config.js';
import { EveForCausalLM } from './eve-for-causal-lm.js';
import { openWeights, QUANTS_SUFFIX, resolveProcessorConfig, SCALES_SUFFIX, SKIPPED_KEY_PATTERNS } from './load-pretrained.js';
import { isQuantizedSlot } from './module.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

export interface ConvertOptions {
  /** Largest shard in bytes (default 5 GB, transformers' default); one bigger tensor gets its own shard. */
  maxShardBytes?: number;
  /** Leave out the tensors inference does not use (default false: keep everything). */
  dropTrainingOnly?: boolean;
  /** Write a block-quantised copy in this format (implies dropping training-only tensors). */
  quantize?: QuantFormat;
  /** Progress (default: none). */
  log?: (message: string) => void;
}

/** The checkpoint keys the model reads with quantised kernels. */
async function quantizableKeys(dir: string): Promise<Set<string>> {
  const config = parseEveConfig(JSON.parse(await nodeFs.readFile(nodePath.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>);
  const { processor } = await resolveProcessorConfig(dir, config);
  const model = new EveForCausalLM(config, processor); // built empty: only names, shapes and roles are read
  return new Set([...model.namedParameters()].filter(([, slot]) => isQuantizedSlot(slot)).map(([k]) => k));
}

/**
 * The sources that write `key` quantised: quants then scales. The writer orders tensors by dtype,
 * so all quants come before any scales; each quantisation's scales (1/17 of q8_0's output) wait
 * in `pending` until their turn.
 */
function quantizedSources(reader: SafetensorsReader, key: string, format: QuantFormat, pending: Map<string, Uint16Array>): RawTensorSource[] {
  const info = reader.info(key);
  const [rows, cols] = info.shape as [number, number];
  const run = async () => {
    const host = hostArrayFromBytes(info.dtype, await reader.readRaw(key));
    return quantizeHost(format, rows, cols, hostReader(host, info.dtype));
  };
  return [
    {
      key: key + QUANTS_SUFFIX,
      fileDType: 'I32',
      shape: [rows, cols / valuesPerWord(format)],
      bytes: async () => {
        const q = await run();
        pending.set(key, q.scales);
        return new Uint8Array(q.quants.buffer, q.quants.byteOffset, q.quants.byteLength);
      },
    },
    {
      key: key + SCALES_SUFFIX,
      fileDType: 'F16',
      shape: [rows, cols / QUANT_BLOCK],
      bytes: async () => {
        const scales = pending.get(key) ?? (await run()).scales;
        pending.delete(key);
        return new Uint8Array(scales.buffer, scales.byteOffset, scales.byteLength);
      },
    },
  ];
}

/** Files copied next to the converted weights when present. */
const SIDE_FILES = /^(config\.json|generation_config\.json|preprocessor_config\.json|special_tokens_map\.json|tokenizer\.model|tokenizer\.json|tokenizer_config\.json|added_tokens\.json)$/;

/** Converts `dir`'s weights into safetensors in `out`; returns the number of tensors and bytes written. */
export async function convertCheckpoint(dir: string, out: string, opts: ConvertOptions = {}): Promise<{ tensors: number; bytes: number; dropped: number }> {
  const maxShard = opts.maxShardBytes ?? 5_000_000_000;
  const log = opts.log ?? (() => {});
  await nodeFs.mkdir(out, { recursive: true });
  const quantized = opts.quantize ? await quantizableKeys(dir) : new Set<string>();
  const reader = await openWeights(dir);
  try {
    const drop = opts.dropTrainingOnly || opts.quantize !== undefined;
    const keys = reader.keys().filter((k) => !(drop && SKIPPED_KEY_PATTERNS.some((p) => p.test(k))));
    const dropped = reader.keys().length - keys.length;
    const pending = new Map<string, Uint16Array>();
    const sourcesOf = (k: string): RawTensorSource[] => {
      if (opts.quantize && quantized.has(k)) return quantizedSources(reader, k, opts.quantize, pending);
      const info = reader.info(k);
      return [{ key: k, fileDType: info.fileDType as FileDType, shape: info.shape, bytes: () => reader.readRaw(k) }];
    };
    // transformers' sharding rule: fill a shard until the next tensor would overflow it
    const shards: string[][] = [];
    let current: string[] = [];
    let size = 0;
    let total = 0;
    for (const k of keys) {
      const info = reader.info(k);
      const b = opts.quantize && quantized.has(k) ? quantizedByteLength(opts.quantize, info.shape[0]!, info.shape[1]!) : info.byteLength;
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
      const sources = shardKeys.flatMap(sourcesOf);
      await saveSafetensorsRaw(nodePath.join(out, name), sources, { format: 'pt', ...(opts.quantize ? { evejs_quantization: opts.quantize } : {}) });
      for (const src of sources) weightMap[src.key] = name;
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
