/**
 * Opening a checkpoint by path, whatever its form: a `.safetensors` file, an index json, or a
 * directory holding either (the index wins, as in transformers). `loadSafetensors` reads all of
 * it into memory; model loaders that stream should use `openCheckpoint` and read tensor by tensor.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodePath from 'node:path';
import { FormatError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { SafetensorsFile } from './file.js';
import type { SafetensorsReader, SafetensorsReadOptions } from './safetensors-reader.js';
import { INDEX_FILE_NAME, ShardedSafetensors } from './sharded.js';
import { SINGLE_FILE_NAME } from './write-sharded.js';
import { nodeBuiltin } from '../node-builtin.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

/**
 * Opens a safetensors file, an index json (sharded), or a directory containing
 * `model.safetensors.index.json`, `model.safetensors`, or exactly one other `*.safetensors.index.json`
 * or `*.safetensors`. Only headers are read. Close the result when done.
 */
export async function openCheckpoint(pathOrDir: string): Promise<SafetensorsFile | ShardedSafetensors> {
  const path = (await nodeFs.stat(pathOrDir)).isDirectory() ? await findCheckpointIn(pathOrDir) : pathOrDir;
  return path.endsWith('.json') ? ShardedSafetensors.open(path) : SafetensorsFile.open(path);
}

async function findCheckpointIn(dir: string): Promise<string> {
  const names = await nodeFs.readdir(dir);
  for (const preferred of [INDEX_FILE_NAME, SINGLE_FILE_NAME]) {
    if (names.includes(preferred)) return nodePath.join(dir, preferred);
  }
  for (const suffix of ['.safetensors.index.json', '.safetensors']) {
    const found = names.filter((n) => n.endsWith(suffix));
    if (found.length === 1) return nodePath.join(dir, found[0]!);
    if (found.length > 1) {
      throw new FormatError(dir, `several checkpoints (${found.join(', ')}); pass the one to load`);
    }
  }
  throw new FormatError(dir, 'no .safetensors file or .safetensors.index.json in this folder');
}

/**
 * Loads every tensor of a checkpoint (file, index json, or directory; see `openCheckpoint`),
 * optionally converting to `dtype` and placing them on `backend`. If any tensor fails to load,
 * those already loaded are disposed and the error is thrown: nothing is returned half-loaded.
 * @example const weights = await loadSafetensors('model.safetensors', { dtype: 'f32' });
 */
export async function loadSafetensors(
  path: string,
  opts: SafetensorsReadOptions = {},
): Promise<Record<string, Tensor>> {
  const reader: SafetensorsReader = await openCheckpoint(path);
  const loaded: [string, Tensor][] = [];
  try {
    for await (const entry of reader.tensors(opts)) loaded.push(entry);
  } catch (e) {
    for (const [, t] of loaded) t.dispose();
    throw e;
  } finally {
    await reader.close();
  }
  return Object.fromEntries(loaded);
}
