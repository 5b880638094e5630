/**
 * Sharded checkpoints: a `model.safetensors.index.json` (`{"metadata": {...}, "weight_map":
 * {tensor name: shard file name}}`, as Hugging Face writes it) next to the shard files it names.
 * `ShardedSafetensors` opens every shard's header up front, so a missing shard or a key the index
 * promises but its shard lacks is reported at open time, not halfway through loading a model.
 * Tensor bytes are still read lazily, one tensor at a time.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodePath from 'node:path';
import { EveError, FormatError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { SafetensorsFile } from './file.js';
import type { SafetensorsReader, SafetensorsReadOptions, SafetensorsTensorInfo } from './safetensors-reader.js';
import { parseStrictJson } from './strict-json.js';
import { nodeBuiltin } from '../node-builtin.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

/** The index file name Hugging Face uses for sharded safetensors checkpoints. */
export const INDEX_FILE_NAME = 'model.safetensors.index.json';

/** A parsed index file. */
export interface SafetensorsIndex {
  /** The index's `metadata`, values as strings (numbers such as `total_size` in decimal). */
  metadata: Record<string, string>;
  /** Tensor name → shard file name, in the index's order. */
  weightMap: Map<string, string>;
}

/** Parses and validates an index file's text; `file` names it in errors. */
export function parseSafetensorsIndex(file: string, text: string): SafetensorsIndex {
  let json: unknown;
  try {
    json = parseStrictJson(text);
  } catch (e) {
    throw new FormatError(file, `index: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FormatError(file, 'index is not a JSON object');
  }
  const { metadata: rawMetadata, weight_map: rawWeightMap } = json as Record<string, unknown>;
  if (typeof rawWeightMap !== 'object' || rawWeightMap === null || Array.isArray(rawWeightMap)) {
    throw new FormatError(file, 'index has no "weight_map" object');
  }
  const weightMap = new Map<string, string>();
  for (const [key, shard] of Object.entries(rawWeightMap)) {
    if (typeof shard !== 'string' || shard === '') {
      throw new FormatError(file, `weight_map["${key}"] must be a shard file name (got ${JSON.stringify(shard)})`);
    }
    if (nodePath.isAbsolute(shard) || nodePath.relative('.', shard).startsWith('..')) {
      throw new FormatError(file, `weight_map["${key}"] names "${shard}", outside the index's folder`);
    }
    weightMap.set(key, shard);
  }
  const metadata: Record<string, string> = {};
  if (rawMetadata !== undefined && rawMetadata !== null) {
    if (typeof rawMetadata !== 'object' || Array.isArray(rawMetadata)) {
      throw new FormatError(file, '"metadata" must be an object');
    }
    for (const [k, v] of Object.entries(rawMetadata)) {
      Object.defineProperty(metadata, k, {
        value: typeof v === 'string' ? v : JSON.stringify(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return { metadata, weightMap };
}

/**
 * A sharded checkpoint open for lazy reading, with the same surface as `SafetensorsFile`.
 * @example
 * const ckpt = await ShardedSafetensors.open('eve/model.safetensors.index.json');
 * for await (const [key, t] of ckpt) { use(key, t); t.dispose(); }
 * await ckpt.close();
 */
export class ShardedSafetensors implements SafetensorsReader {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly #shards: ReadonlyMap<string, SafetensorsFile>;
  readonly #weightMap: ReadonlyMap<string, string>;
  readonly #order: readonly string[];

  private constructor(path: string, index: SafetensorsIndex, shards: Map<string, SafetensorsFile>) {
    this.path = path;
    this.metadata = Object.freeze(index.metadata);
    this.#weightMap = index.weightMap;
    this.#shards = shards;
    // Storage order: shards by file name, tensors by offset within each, so reads sweep each file once.
    const order: string[] = [];
    for (const name of [...shards.keys()].sort()) {
      for (const key of shards.get(name)!.keys()) if (index.weightMap.get(key) === name) order.push(key);
    }
    this.#order = order;
  }

  /**
   * Opens the index at `indexPath` and every shard it names (headers only). Throws a FormatError
   * naming the index if a shard file is missing or lacks a tensor the index assigns to it.
   */
  static async open(indexPath: string): Promise<ShardedSafetensors> {
    const index = parseSafetensorsIndex(indexPath, await nodeFs.readFile(indexPath, 'utf8'));
    const dir = nodePath.dirname(indexPath);
    const shards = new Map<string, SafetensorsFile>();
    try {
      for (const [key, name] of index.weightMap) {
        let shard = shards.get(name);
        if (!shard) {
          shard = await openShard(indexPath, nodePath.resolve(dir, name), name, key);
          shards.set(name, shard);
        }
        if (!shard.has(key)) {
          throw new FormatError(indexPath, `weight_map puts tensor "${key}" in "${name}", which has no such tensor`);
        }
      }
    } catch (e) {
      await Promise.all([...shards.values()].map((s) => s.close()));
      throw e;
    }
    return new ShardedSafetensors(indexPath, index, shards);
  }

  keys(): string[] {
    return [...this.#order];
  }

  has(key: string): boolean {
    return this.#weightMap.has(key);
  }

  /** The shard file name (as written in the index) holding `key`. */
  shardOf(key: string): string {
    const name = this.#weightMap.get(key);
    if (name === undefined) throw new EveError(`${this.path}: no tensor named "${key}" (the index has ${this.#weightMap.size})`);
    return name;
  }

  info(key: string): SafetensorsTensorInfo {
    return this.#shard(key).info(key);
  }

  readRaw(key: string): Promise<Uint8Array> {
    return this.#shard(key).readRaw(key);
  }

  read(key: string, opts?: SafetensorsReadOptions): Promise<Tensor> {
    return this.#shard(key).read(key, opts);
  }

  async *tensors(opts: SafetensorsReadOptions = {}): AsyncGenerator<[string, Tensor]> {
    for (const key of this.#order) yield [key, await this.read(key, opts)];
  }

  [Symbol.asyncIterator](): AsyncGenerator<[string, Tensor]> {
    return this.tensors();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#shards.values()].map((s) => s.close()));
  }

  #shard(key: string): SafetensorsFile {
    return this.#shards.get(this.shardOf(key))!;
  }
}

async function openShard(indexPath: string, path: string, name: string, firstKey: string): Promise<SafetensorsFile> {
  try {
    return await SafetensorsFile.open(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FormatError(indexPath, `shard "${name}" (holding tensor "${firstKey}") does not exist: ${path}`);
    }
    throw e;
  }
}
