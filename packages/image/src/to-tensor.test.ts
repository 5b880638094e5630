import { describe, expect, it } from 'vitest';
import { registerCpuBackend } from '@evejs/tensor';
import { blankImage } from './anypixel-preprocess.js';
import { loadBuiltinProcessorConfig } from './processor-config.js';
import { pixelValuesToTensor } from './to-tensor.js';

describe('pixelValuesToTensor', () => {
  it('wraps [4, S, S] float32 values as a Tensor', async () => {
    registerCpuBackend();
    const values = blankImage(await loadBuiltinProcessorConfig('eve-patch14-anypixel-672'), { teacher: true });
    const t = pixelValuesToTensor(values);
    expect(t.shape).toEqual([4, 336, 336]);
    expect(t.dtype).toBe('f32');
    expect(await t.data()).toEqual(values.data);
    t.dispose();
  });
});
