// WebGPU-specific behaviour the shared conformance suite does not cover: buffer pooling, memory
// counters, oversize tensors, kernel-reported errors, dtype round trips, and training a small MLP
// on webgpu against the same steps on cpu. Without an adapter the suite is skipped, with the reason.
import {
  BackendError,
  adamwStep,
  add,
  crossEntropy,
  engine,
  gather,
  gelu,
  matmul,
  memory,
  mul,
  noGrad,
  QuantizedMatrix,
  quantizedGather,
  quantizedMatmul,
  randn,
  registerCpuBackend,
  sub,
  sum,
  tensor,
  tidy,
  type Tensor,
} from '@evejs/tensor';
import { f16BitsToF32, f32ToF16Bits, kernelsFor } from '@evejs/tensor/backend';
import { expectClose } from '@evejs/tensor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebGpuKernels } from './kernels/register.js';
import { probeWebGpu, registerWebGpuBackend, type WebGpuBackend } from './index.js';

registerCpuBackend();
registerWebGpuBackend();
const probe = await probeWebGpu();

describe.skipIf(!probe.ok)(`webgpu backend${probe.ok ? ` on ${probe.adapter}` : ` (skipped: ${probe.reason})`}`, () => {
  let backend: WebGpuBackend;
  beforeAll(async () => {
    backend = (await engine.initBackend('webgpu')) as WebGpuBackend;
  });
  afterAll(() => engine.removeBackend('webgpu'));

  const onGpu = (values: ArrayLike<number>, shape: number[], dtype: 'f32' | 'f16' | 'bf16' | 'i32' | 'u8' | 'bool' = 'f32') =>
    tensor(values, shape, { dtype, backend: 'webgpu' });

  it('has a kernel for every op the cpu backend has', () => {
    expect(kernelsFor('webgpu')).toEqual(kernelsFor('cpu'));
  });

  it('rejects registering its kernels twice', () => {
    expect(() => registerWebGpuKernels()).toThrow(/registered twice/);
  });

  it('describes the adapter', () => {
    const info = backend.info();
    expect(info.name).toBe('webgpu');
    expect(info.device).not.toBe('');
    expect(String(info.details?.features)).toContain(backend.hasShaderF16 ? 'shader-f16' : '');
    expect(info.details?.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
  });

  it('round-trips every dtype through upload and read', async () => {
    const f = [1.5, -2.25, 0, 65504, 1e-7, -3];
    for (const dtype of ['f32', 'f16', 'bf16', 'i32', 'u8', 'bool'] as const) {
      const values = dtype === 'bool' ? [1, 0, 1, 1, 0, 1] : dtype === 'u8' ? [0, 255, 7, 128, 1, 3] : dtype === 'i32' ? [-5, 2147483647, 0, 3, -1, 9] : f;
      const cpu = tensor(values, [2, 3], { dtype, backend: 'cpu' });
      const gpu = onGpu(values, [2, 3], dtype);
      expect(await gpu.rawData()).toEqual(await cpu.rawData());
      cpu.dispose();
      gpu.dispose();
    }
  });

  it('reuses pooled buffers of the same size class', async () => {
    const a = onGpu(new Float32Array(1000), [1000]);
    await a.data();
    a.dispose();
    const before = backend.stats();
    const b = onGpu(new Float32Array(900), [900]); // same size class (4 KiB)
    await b.data();
    const after = backend.stats();
    expect(after.created).toBe(before.created);
    expect(after.reused).toBeGreaterThan(before.reused);
    b.dispose();
  });

  it('returns memory counters to their baseline after dispose', async () => {
    const engineBefore = memory();
    const poolBefore = backend.stats();
    const x = randn([17, 33], { seed: 1, backend: 'webgpu' });
    const y = tidy(() => sum(gelu(matmul(x, x, { transposeB: true }))));
    await y.data();
    x.dispose();
    y.dispose();
    const engineAfter = memory();
    expect(engineAfter.numTensors).toBe(engineBefore.numTensors);
    expect(engineAfter.bytesByBackend.webgpu ?? 0).toBe(engineBefore.bytesByBackend.webgpu ?? 0);
    expect(backend.stats().liveBytes).toBe(poolBefore.liveBytes);
  });

  it('reports an out-of-range gather index as a BackendError on read', async () => {
    const table = onGpu([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2]);
    const ids = onGpu([1, 7], [2], 'i32');
    const out = gather(table, ids);
    await expect(out.data()).rejects.toThrow(/gather: index 7 is outside \[0, 5\)/);
    // The flag is cleared: the next read succeeds.
    const ok = gather(table, onGpu([4, 0], [2], 'i32'));
    expect(Array.from(await ok.data())).toEqual([9, 10, 1, 2]);
    for (const t of [table, ids, out, ok]) t.dispose();
  });

  it('gathers from an f16 table larger than one storage binding (split across bindings)', async () => {
    const limit = backend.limits.maxStorageBufferBindingSize;
    const d = 1024;
    const rows = Math.ceil((limit + 8 * 2 ** 20) / (d * 2)); // ~8 MiB above the limit
    const raw = new Uint16Array(rows * d);
    for (let r = 0; r < rows; r++) {
      const h = f32ToF16Bits((r % 2003) / 64);
      raw.fill(h, r * d, r * d + 4); // only the first 4 columns vary; the rest are 0
    }
    const table = engine.fromHost(raw, [rows, d], 'f16', 'webgpu');
    const picks = [0, rows - 1, Math.floor(rows / 2), 1234, rows - 2];
    const ids = onGpu(picks, [picks.length], 'i32');
    const out = gather(table, ids);
    const got = await out.data();
    for (let i = 0; i < picks.length; i++) {
      expect(got[i * d]).toBe(f16BitsToF32(raw[picks[i]! * d]!));
      expect(got[i * d + 3]).toBe(f16BitsToF32(raw[picks[i]! * d]!));
      expect(got[i * d + 4]).toBe(0);
    }
    for (const t of [table, ids, out]) t.dispose();
  });

  it('splits a large transposed f16 weight across bindings in matmul, and rejects what it cannot split', async () => {
    const limit = backend.limits.maxStorageBufferBindingSize;
    const k = 2048;
    const n = Math.ceil((limit + 4 * 2 ** 20) / (k * 2));
    const raw = new Uint16Array(n * k);
    // Row j of the weight is the constant (j % 17 − 8) / 16 over its first 16 columns.
    for (let j = 0; j < n; j++) raw.fill(f32ToF16Bits(((j % 17) - 8) / 16), j * k, j * k + 16);
    const w = engine.fromHost(raw, [n, k], 'f16', 'webgpu');
    const xHost = new Float32Array(2 * k);
    for (let i = 0; i < 16; i++) {
      xHost[i] = 1;
      xHost[k + i] = i;
    }
    const x = onGpu(xHost, [2, k]);
    const y = matmul(x, w, { transposeB: true });
    const got = await y.data();
    for (const j of [0, 1, n - 1, Math.floor(n / 2) + 3, n - 17]) {
      const c = ((j % 17) - 8) / 16;
      expect(got[j]).toBe(16 * c);
      expect(got[n + j]).toBe(120 * c);
    }
    y.dispose();
    // Not transposed, [K, N] cannot be sliced along N: a clear error naming the limit.
    const wPlain = engine.fromHost(raw, [k, n], 'f16', 'webgpu');
    expect(() => matmul(x, wPlain)).toThrow(BackendError);
    expect(() => matmul(x, wPlain)).toThrow(/maxStorageBufferBindingSize/);
    for (const t of [w, wPlain, x]) t.dispose();
  });

  it('splits a q8_0 weight larger than one storage binding across bindings (quantizedMatmul, quantizedGather)', async () => {
    const limit = backend.limits.maxStorageBufferBindingSize;
    const k = 4096;
    const n = Math.ceil((limit + 4 * 2 ** 20) / k); // q8_0 quants: k bytes per row → ~4 MiB over the limit
    // Row j holds the int8 value (j % 17 − 8) everywhere, with every block's scale 1/16.
    const quants = new Int32Array((n * k) / 4);
    for (let j = 0; j < n; j++) {
      const b = ((j % 17) - 8) & 0xff;
      quants.fill(b | (b << 8) | (b << 16) | (b << 24), (j * k) / 4, ((j + 1) * k) / 4);
    }
    const scales = new Uint16Array((n * k) / 32).fill(f32ToF16Bits(1 / 16));
    const w = new QuantizedMatrix('q8_0', engine.fromHost(quants, [n, k / 4], 'i32', 'webgpu'), engine.fromHost(scales, [n, k / 32], 'f16', 'webgpu'));
    const xHost = new Float32Array(k);
    xHost.fill(1, 0, 32);
    const x = onGpu(xHost, [1, k]);
    const y = quantizedMatmul(x, w);
    const got = await y.data();
    const picks = [0, 1, n - 1, Math.floor(n / 2) + 3, n - 17];
    for (const j of picks) expect(got[j]).toBe(2 * ((j % 17) - 8)); // 32 ones × q/16
    const ids = onGpu(picks, [picks.length], 'i32');
    const rows = quantizedGather(w, ids);
    const r = await rows.data();
    for (const [i, j] of picks.entries()) {
      expect(r[i * k]).toBe(((j % 17) - 8) / 16);
      expect(r[i * k + k - 1]).toBe(((j % 17) - 8) / 16);
    }
    for (const t of [x, y, ids, rows]) t.dispose();
    w.dispose();
  });

  it('trains a small MLP on webgpu exactly as on cpu (forward, backward, two SGD steps)', async () => {
    async function train(backendName: string): Promise<{ losses: number[]; grads: Float32Array[] }> {
      const params = [
        randn([9, 7], { seed: 1, std: 0.4, backend: backendName }),
        randn([9], { seed: 2, std: 0.1, backend: backendName }),
        randn([4, 9], { seed: 3, std: 0.4, backend: backendName }),
      ];
      for (const p of params) p.requiresGrad = true;
      const x = randn([5, 7], { seed: 4, backend: backendName });
      const targets = tensor([0, 3, 1, 2, 3], [5], { dtype: 'i32', backend: backendName });
      const losses: number[] = [];
      let grads: Float32Array[] = [];
      for (let step = 0; step < 2; step++) {
        const loss = tidy(() => {
          const h = gelu(add(matmul(x, params[0]!, { transposeB: true }), params[1]!));
          return crossEntropy(matmul(h, params[2]!, { transposeB: true }), targets);
        });
        loss.backward();
        losses.push((await loss.data())[0]!);
        loss.dispose();
        grads = await Promise.all(params.map(async (p) => (await p.grad!.data()) as Float32Array));
        for (let i = 0; i < params.length; i++) {
          const p = params[i]!;
          const next = noGrad(() => tidy(() => sub(p, mul(p.grad!, 0.5))));
          p.grad!.dispose();
          p.dispose();
          next.requiresGrad = true;
          params[i] = next;
        }
      }
      for (const t of [...params, x, targets] as Tensor[]) t.dispose();
      return { losses, grads };
    }
    const cpu = await train('cpu');
    const gpu = await train('webgpu');
    // f32 on both, but different summation orders (tiles, tree reductions): a few ulps apart.
    expectClose(gpu.losses, cpu.losses, { rtol: 1e-5, atol: 1e-6, label: 'MLP losses' });
    gpu.grads.forEach((g, i) => expectClose(g, cpu.grads[i]!, { rtol: 1e-4, atol: 1e-6, label: `MLP grad ${i}` }));
    expect(cpu.losses[1]).toBeLessThan(cpu.losses[0]!);
  });

  it('takes AdamW steps (adamwStep) as the cpu kernel does, within f32 rounding', async () => {
    const attrs = { lr: 1e-3, weightDecay: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 1 - 0.9 ** 2, bc2: 1 - 0.999 ** 2 };
    async function step(backendName: string): Promise<Float32Array[]> {
      const make = (seed: number, std: number) => randn([33, 17], { seed, std, backend: backendName });
      const [p, g, m] = [make(1, 1), make(2, 0.3), make(3, 0.05)];
      const v = tidy(() => mul(make(4, 0.02), make(5, 0.02))); // second moments are ≥ 0
      const out = noGrad(() => adamwStep(p!, g!, m!, v!, attrs));
      const values = [await out.param.data(), await out.m.data(), await out.v.data()] as Float32Array[];
      for (const t of [p, g, m, v, out.param, out.m, out.v] as Tensor[]) t.dispose();
      return values;
    }
    const before = memory();
    const gpu = await step('webgpu');
    expect([memory().numTensors, memory().numBytes]).toEqual([before.numTensors, before.numBytes]); // the kernel's temporary is freed too
    const cpu = await step('cpu');
    ['param', 'm', 'v'].forEach((name, i) => expectClose(gpu[i]!, cpu[i]!, { rtol: 1e-5, atol: 1e-7, label: `adamwStep ${name}` }));
    // The step moved every parameter away from its start.
    const start = await randn([33, 17], { seed: 1 }).data();
    expect(cpu[0]!.every((x, i) => x !== start[i])).toBe(true);
  });

  it('throws a BackendError, not a hang, once disposed', async () => {
    const { createWebGpuBackend } = await import('./index.js');
    const b = await createWebGpuBackend();
    b.dispose();
    expect(() => b.upload('f32', new Float32Array(4))).toThrow(/disposed/);
  });
});

// Reported as skipped, with the reason, when no adapter can be had.
if (!probe.ok) it.skip(`webgpu unavailable: ${probe.reason}`, () => {});
