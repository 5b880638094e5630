/**
 * Atomic checkpoint directories: a checkpoint is written into a temporary sibling folder and
 * renamed into place only when complete, then `latest` (a small text file, itself replaced by
 * rename) is pointed at it. A crash at any moment leaves the last good checkpoint intact and
 * `latest` naming it.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Writes a checkpoint folder `<root>/<name>` atomically by calling `fill(tmpDir)`. */
export async function writeCheckpointDir(root: string, name: string, fill: (dir: string) => Promise<void>): Promise<string> {
  await mkdir(root, { recursive: true });
  const final = path.join(root, name);
  const tmp = path.join(root, `.${name}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    await fill(tmp);
    const old = existsSync(final) ? path.join(root, `.${name}.old-${process.pid}`) : null;
    if (old) await rename(final, old);
    await rename(tmp, final);
    if (old) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const latestTmp = path.join(root, `.latest.tmp-${process.pid}`);
  await writeFile(latestTmp, `${name}\n`);
  await rename(latestTmp, path.join(root, 'latest'));
  return final;
}

/** The folder `latest` points at, or null if there is none. */
export async function latestCheckpoint(root: string): Promise<string | null> {
  try {
    const name = (await readFile(path.join(root, 'latest'), 'utf8')).trim();
    return name && existsSync(path.join(root, name)) ? path.join(root, name) : null;
  } catch {
    return null;
  }
}
