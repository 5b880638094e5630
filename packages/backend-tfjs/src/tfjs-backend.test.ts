// The tfjs backend beyond the shared suite: strided views, dtype storage, an MLP's backward
// against the CPU backend, info(), and no leaked tf tensors.
import {
  add, cast, mul, fromRaw, gelu, matmul, mean, permute, randn, registerCpuBackend, rmsNorm, slice, softmax, sum, tensor, tidy,
  broadcastTo, contiguous, engine, type Tensor,
} from '@evejs/tensor';
import { expectClose } from '@evejs/tensor/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTfjsBackend, probeTfjs } from './register.js';
import type { TfjsBackend } from './tfjs-backend.js';

registerCpuBackend();
registerTfjsBackend();
let backend: TfjsBackend;
beforeAll(async () => {
  backend = (await engine.initBackend('tfjs')) as TfjsBackend;
});

const on = (t: Tensor, b: string) => tensor(t.dataSync() as Float32Array, t.shape, { backend: b });

describe('tfjs backend', () => {
  it('reports the active tfjs backend and why', async () => {
    const info = backend.info();
    expect(info.device).toMatch(/^wasm \(SIMD, 1 thread\)$/);
    expect(String(info.details?.why)).toContain('tfjs-node-gpu not installed');
    const probe = await probeTfjs();
    expect(probe).toMatchObject({ isAvailable: true, flavor: 'wasm' });
  });

  it('reads transposed, sliced and broadcast views like the CPU backend', () => {
    const x = randn([3, 5, 7], { seed: 1 });
    const y = on(x, 'tfjs');
    const views = [
      (t: Tensor) => permute(t, [2, 0, 1]),
      (t: Tensor) => slice(t, [1, 1, 2], [2, 3, 4]),
      (t: Tensor) => permute(slice(t, [0, 2, 1], [3, 2, 5]), [1, 2, 0]),
      (t: Tensor) => broadcastTo(slice(t, [0, 0, 3], [3, 1, 1]), [2, 3, 4, 7]),
      (t: Tensor) => slice(permute(t, [1, 0, 2]), [4, 2, 6], [1, 1, 1]),
    ];
    for (const v of views) {
      const want = tidy(() => contiguous(v(x)).dataSync());
      const got = tidy(() => contiguous(v(y)).dataSync());
      expectClose(got as Float32Array, Array.from(want as Float32Array), { rtol: 0, atol: 0 });
    }
    x.dispose();
    y.dispose();
  });

  it('stores f16/bf16 decoded and reads back the exact bit patterns', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff, 0x3555]);
    for (const dtype of ['f16', 'bf16'] as const) {
      const t = fromRaw(bits, [5], dtype, 'tfjs');
      expect(Array.from(t.rawDataSync() as Uint16Array)).toEqual(Array.from(bits));
      const back = tidy(() => cast(cast(t, 'f32'), dtype));
      expect(Array.from(back.rawDataSync() as Uint16Array)).toEqual(Array.from(bits));
      t.dispose();
      back.dispose();
    }
  });

  it('trains an MLP step: forward and gradients match the CPU backend on odd shapes', () => {
    const make = (b: string) => ({
      x: on(randn([3, 7, 13], { seed: 2 }), b),
      w1: on(randn([29, 13], { seed: 3, std: 0.3 }), b),
      w2: on(randn([11, 29], { seed: 4, std: 0.3 }), b),
      g: on(randn([13], { seed: 5 }), b),
    });
    const run = (b: string) => {
      const p = make(b);
      for (const t of [p.w1, p.w2, p.g]) t.requiresGrad = true;
      const loss = tidy(() => {
        const h = gelu(matmul(rmsNorm(p.x, p.g), p.w1, { transposeB: true })); // (3, 7, 29)
        const o = softmax(matmul(h, p.w2, { transposeB: true }), -1); // (3, 7, 11)
        return mean(sum(add(mul(o, o), slice(h, [0, 0, 3], [3, 7, 11])), -1)); // a sliced view in the graph
      });
      loss.backward();
      const out = { loss: loss.dataSync(), dw1: p.w1.grad!.dataSync(), dw2: p.w2.grad!.dataSync(), dg: p.g.grad!.dataSync() };
      for (const t of [loss, p.x, p.w1, p.w2, p.g, p.w1.grad!, p.w2.grad!, p.g.grad!]) t.dispose();
      return out;
    };
    const before = backend.tf.memory().numTensors;
    const cpu = run('cpu');
    const tf = run('tfjs');
    // f32 vs the CPU's f32 (with f64 sums): a few chained ops, so 1e-4 relative.
    for (const k of ['loss', 'dw1', 'dw2', 'dg'] as const) {
      expectClose(tf[k] as Float32Array, Array.from(cpu[k] as Float32Array), { rtol: 1e-4, atol: 1e-5, label: k });
    }
    expect(backend.tf.memory().numTensors).toBe(before);
  });

  it('leaks no tf tensors across many kernels', () => {
    const before = backend.tf.memory().numTensors;
    const x = randn([4, 6], { seed: 6, backend: 'tfjs' });
    tidy(() => softmax(matmul(permute(x, [1, 0]), x), 0).dataSync());
    x.dispose();
    expect(backend.tf.memory().numTensors).toBe(before);
  });
});
