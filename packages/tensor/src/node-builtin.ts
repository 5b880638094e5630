/**
 * Node's built-in modules without a static import, so the packages bundle for browsers: a
 * bundler sees no `node:` import, and only the functions that really need the file system (or
 * `os`) fail — with a clear message — when called outside Node. Uses `process.getBuiltinModule`
 * (Node ≥ 20.16, which the workspace's `engines` already require).
 *
 * Not a polyfill: in a browser every property access on the returned object throws.
 */
import { EveError } from './errors.js';

/**
 * Node's built-in module `id`, or (outside Node) an object whose every property throws an
 * EveError saying the feature needs Node.
 * @example
 * import type * as NodeFs from 'node:fs/promises';
 * const fs = nodeBuiltin<typeof NodeFs>('node:fs/promises');
 * const bytes = await fs.readFile('model.safetensors'); // Node only
 */
export function nodeBuiltin<T extends object>(id: string): T {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const m = proc?.getBuiltinModule?.(id) as T | undefined;
  if (m) return m;
  return new Proxy({} as T, {
    get(_target, key) {
      throw new EveError(`${id} (${String(key)}) is only available in Node; in a browser pass the bytes instead`);
    },
  });
}
