/**
 * Writing a file so that readers see either the old file or the complete new one, never a torn
 * one: write `<path>.tmp-<pid>`, flush it to disk, then rename it over `path` (atomic on POSIX
 * filesystems, and on Windows when the target is not open). On failure the temporary file is
 * removed and `path` is untouched.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { nodeBuiltin } from '../node-builtin.js';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');

/** Creates `path` atomically from what `write` writes into the handle it is given. */
export async function writeFileAtomically(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const handle = await nodeFs.open(tmp, 'w');
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await nodeFs.rename(tmp, path);
  } catch (e) {
    await handle.close().catch(() => undefined); // already closed after a failed rename
    await nodeFs.rm(tmp, { force: true });
    throw e;
  }
}

/** Writes all of `bytes` at the handle's current position, looping over short writes. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}
