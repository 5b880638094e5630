// quantizeModel: quantising a loaded f32 model in memory gives exactly the model that quantising
// while loading gives (same blocks, same logits), replaces every quantisable matrix, frees the
// float tensors, and leaves nothing behind after dispose.
import { describe, expect, it } from 'vitest';
import { memory, noGrad, tidy } from '@evejs/tensor';
import { isQuantizedSlot, loadPretrained, quantizeModel } from '../src/index.js';
import { backendUnavailable } from '../test/backends.js';
import { TINY_EVE_DIR } from '../test/fixtures.js';

describe('quantizeModel', () => {
  it('matches quantising while loading, bit for bit, and frees the float matrices', async () => {
    await backendUnavailable('cpu');
    const before = memory();
    const inMemory = await loadPretrained(TINY_EVE_DIR, { backend: 'cpu' });
    const f32Bytes = memory().numBytes;
    const n = await quantizeModel(inMemory.model, 'q4_0');
    const slots = [...inMemory.model.namedParameters()];
    expect(n).toBe(slots.filter(([, s]) => isQuantizedSlot(s)).length);
    expect(n).toBeGreaterThan(10);
    for (const [key, s] of slots) if (isQuantizedSlot(s)) expect(s.tensor, key).toBeNull();
    expect(memory().numBytes).toBeLessThan(f32Bytes);
    const onLoad = await loadPretrained(TINY_EVE_DIR, { backend: 'cpu', dtype: 'q4_0' });
    const ids = [1, 5, 77, 300, 2, 19];
    const a = noGrad(() => tidy(() => inMemory.model.forward(ids).logits));
    const b = noGrad(() => tidy(() => onLoad.model.forward(ids).logits));
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    for (const t of [a, b]) t.dispose();
    inMemory.model.dispose();
    onLoad.model.dispose();
    expect(memory().numTensors).toBe(before.numTensors);
    expect(memory().numBytes).toBe(before.numBytes);
  });
});
