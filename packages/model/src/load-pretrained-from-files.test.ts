// The byte-based loader (what a browser page uses): same parameters as loading the folder, shards
// combined without their index, progress reported per tensor, and clear errors.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPretrained, loadPretrainedFromFiles } from '../src/index.js';
import { backendUnavailable } from '../test/backends.js';
import { TINY_EVE_DIR } from '../test/fixtures.js';

beforeAll(async () => {
  await backendUnavailable('cpu');
});

async function fixtureFiles() {
  const names = (await readdir(TINY_EVE_DIR)).filter((n) => n.endsWith('.safetensors') && n.startsWith('model-'));
  return {
    config: await readFile(join(TINY_EVE_DIR, 'config.json'), 'utf8'),
    preprocessorConfig: await readFile(join(TINY_EVE_DIR, 'preprocessor_config.json'), 'utf8'),
    weights: await Promise.all(names.map(async (n) => [n, new Uint8Array(await readFile(join(TINY_EVE_DIR, n)))] as const)),
    name: 'tiny-eve',
  };
}

describe('loadPretrainedFromFiles', () => {
  it('loads the same parameters as loadPretrained, with progress', async () => {
    const fromDir = await loadPretrained(TINY_EVE_DIR, { backend: 'cpu' });
    const progress: number[] = [];
    const fromBytes = await loadPretrainedFromFiles(await fixtureFiles(), { backend: 'cpu', onProgress: (n, total) => progress.push(n / total) });
    try {
      const a = fromDir.model.stateDict();
      const b = fromBytes.model.stateDict();
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const [k, t] of Object.entries(a)) expect(await b[k]!.data(), k).toEqual(await t.data());
      expect(fromBytes.processor).toEqual(fromDir.processor);
      expect(fromBytes.report.skipped.sort()).toEqual(fromDir.report.skipped.sort());
      expect(progress.at(-1)).toBe(1);
      expect(progress.length).toBe(Object.keys(a).length);
    } finally {
      fromDir.model.dispose();
      fromBytes.model.dispose();
    }
  });

  it('names what is missing', async () => {
    const files = await fixtureFiles();
    await expect(loadPretrainedFromFiles({ ...files, weights: [] }, { backend: 'cpu' })).rejects.toThrow(/tiny-eve: no \*\.safetensors weights/);
    await expect(loadPretrainedFromFiles({ ...files, weights: files.weights.slice(0, 1) }, { backend: 'cpu' })).rejects.toThrow(/tiny-eve: missing \d+ weight/);
    await expect(loadPretrainedFromFiles({ ...files, config: '{' }, { backend: 'cpu' })).rejects.toThrow(/tiny-eve\/config.json/);
  });
});
