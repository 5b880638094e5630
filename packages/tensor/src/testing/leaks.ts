/**
 * Leak checks: a function must leave the engine's live tensor, storage and byte counters where it
 * found them. Works for any backend because the engine counts every backend's storage.
 */
import { engine } from '../engine.js';

/** Runs `fn` (sync or async) and throws if live tensors, storages or bytes changed. Returns fn's result. */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, label = 'expectNoLeaks'): Promise<T> {
  const before = engine.memory();
  const result = await fn();
  const after = engine.memory();
  const diffs: string[] = [];
  if (after.numTensors !== before.numTensors) diffs.push(`tensors ${before.numTensors} → ${after.numTensors}`);
  if (after.numStorages !== before.numStorages) diffs.push(`storages ${before.numStorages} → ${after.numStorages}`);
  if (after.numBytes !== before.numBytes) diffs.push(`bytes ${before.numBytes} → ${after.numBytes}`);
  if (diffs.length) throw new Error(`${label}: leaked (${diffs.join(', ')})`);
  return result;
}
