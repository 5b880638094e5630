/**
 * Writing one safetensors file, streamed: the header first, then each tensor's bytes in turn,
 * fetched only when it is its turn (`await t.rawData()`), so at most one tensor's host copy is
 * alive at a time. The file appears atomically (atomic-write.ts). The layout is the reference
 * writer's (header.ts `encodeHeader`), so the bytes match what Python's `safetensors` writes.
 *
 * Not here: sharding (write-sharded.ts), reading (file.ts).
 */
import type { HostArray } from '../dtype.js';
import { EveError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { writeAll, writeFileAtomically } from './atomic-write.js';
import { type FileDType, fileDTypeOf } from './file-dtype.js';
import { encodeHeader } from './header.js';

/** A tensor to write given as bytes: its name, file dtype, shape, and a function producing its little-endian bytes. */
export interface RawTensorSource {
  key: string;
  fileDType: FileDType;
  shape: readonly number[];
  /** Called once, when the tensor's turn comes; must give exactly shape × dtype-size bytes. */
  bytes: () => Promise<Uint8Array>;
}

/**
 * Writes tensors given as raw bytes to `path` (for converters that already hold encoded data,
 * e.g. quantised weights). Same layout and atomicity as `saveSafetensors`.
 */
export async function saveSafetensorsRaw(
  path: string,
  tensors: readonly RawTensorSource[],
  metadata?: Record<string, string>,
): Promise<void> {
  const header = encodeHeader(tensors, metadata);
  const byKey = new Map(tensors.map((t) => [t.key, t]));
  await writeFileAtomically(path, async (handle) => {
    await writeAll(handle, header.bytes);
    for (const e of header.entries) {
      const bytes = await byKey.get(e.key)!.bytes();
      if (bytes.byteLength !== e.end - e.begin) {
        throw new EveError(`${path}: tensor "${e.key}" gave ${bytes.byteLength} bytes, expected ${e.end - e.begin}`);
      }
      await writeAll(handle, bytes);
    }
  });
}

/**
 * Saves named tensors to a safetensors file at `path`, with optional string `metadata`
 * (`__metadata__`). Each tensor is read back from its backend only when it is written.
 * @example await saveSafetensors('out.safetensors', { 'w': w, 'b': b }, { format: 'pt' });
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await saveSafetensorsRaw(path, rawSourcesOf(tensors), metadata);
}

/** Describes tensors as raw sources, checking up front that none is disposed. */
export function rawSourcesOf(tensors: Record<string, Tensor>): RawTensorSource[] {
  return Object.entries(tensors).map(([key, t]) => {
    t.assertAlive(`saveSafetensors("${key}")`);
    return { key, fileDType: fileDTypeOf(t.dtype), shape: t.shape, bytes: async () => bytesOf(await t.rawData()) };
  });
}

function bytesOf(data: HostArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
