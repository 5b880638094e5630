// Kernels that take their output from the host pool must write every element: with the pool
// poisoned (NaN / 0xff arrays of every output size), each op gives bit-identical results to a
// run with an empty pool.
import { afterEach, describe, expect, it } from 'vitest';
import {
  add,
  cast,
  concat,
  contiguous,
  exp,
  greater,
  layerNorm,
  matmul,
  max,
  mul,
  pad,
  permute,
  randn,
  rmsNorm,
  rope,
  silu,
  softmax,
  sum,
  tidy,
  transpose,
  where,
  type Tensor,
} from '../index.js';
import { registerCpuBackend } from './cpu-backend.js';
import { clearHostPool, hostPoolBytes, recycleHostArray, takeHostArray } from './host-pool.js';

registerCpuBackend();

const cases: [string, () => Tensor][] = [
  ['binary dense', () => mul(randn([64, 48], { seed: 1 }), randn([64, 48], { seed: 2 }))],
  ['binary row broadcast', () => add(randn([64, 48], { seed: 1 }), randn([48], { seed: 2 }))],
  ['binary scalar', () => mul(randn([64, 48], { seed: 1 }), 0.5)],
  ['unary transposed', () => exp(transpose(randn([64, 48], { seed: 3 })))],
  ['silu', () => silu(randn([3072], { seed: 4 }))],
  ['compare + where', () => where(greater(randn([64, 48], { seed: 5 }), 0), randn([64, 48], { seed: 6 }), 0)],
  ['contiguous', () => contiguous(permute(randn([8, 16, 24], { seed: 7 }), [2, 0, 1]))],
  ['cast', () => cast(randn([64, 48], { seed: 8 }), 'i32')],
  ['sum last', () => sum(randn([1024, 8], { seed: 9 }), -1)],
  ['sum first', () => sum(randn([8, 1024], { seed: 9 }), 0)],
  ['sum middle', () => sum(randn([4, 8, 1024], { seed: 9 }), 1)],
  ['sum interleaved', () => sum(randn([8, 1024, 2], { seed: 9 }), [0, 2])],
  ['max', () => max(randn([1024, 8], { seed: 10 }), -1)],
  ['softmax', () => softmax(randn([64, 48], { seed: 11 }))],
  ['rmsNorm', () => rmsNorm(randn([64, 48], { seed: 12 }), randn([48], { seed: 13 }))],
  ['layerNorm', () => layerNorm(randn([64, 48], { seed: 12 }), randn([48], { seed: 13 }), randn([48], { seed: 14 }))],
  ['rope', () => rope(randn([2, 4, 32, 48], { seed: 15 }), randn([32, 48], { seed: 16 }), randn([32, 48], { seed: 17 }))],
  ['concat', () => concat([randn([64, 24], { seed: 18 }), randn([64, 24], { seed: 19 })], 1)],
  ['pad', () => pad(randn([60, 40], { seed: 20 }), [[2, 2], [4, 4]])],
  ['matmul naive', () => matmul(randn([32, 4], { seed: 21 }), randn([4, 32], { seed: 22 }))],
  ['matmul wasm', () => matmul(randn([64, 96], { seed: 21 }), randn([48, 96], { seed: 22 }), { transposeB: true })],
  ['matmul matvec', () => matmul(randn([1, 96], { seed: 21 }), randn([3072, 96], { seed: 22 }), { transposeB: true })],
];

function poison(): void {
  for (const n of [1024, 1152, 1536, 2048, 2304, 3072, 3600, 4096, 6144, 12288, 294912]) {
    for (let i = 0; i < 3; i++) {
      recycleHostArray(new Float32Array(n).fill(NaN));
      recycleHostArray(new Int32Array(n).fill(-7));
      recycleHostArray(new Uint8Array(n).fill(0xff));
    }
  }
}

afterEach(() => clearHostPool());

describe('cpu host pool', () => {
  it('reuses a freed array of the same type and length', () => {
    clearHostPool();
    const a = new Float32Array(4096);
    recycleHostArray(a);
    expect(hostPoolBytes()).toBe(4096 * 4);
    expect(takeHostArray('i32', 4096)).not.toBe(a);
    expect(takeHostArray('f32', 4000)).toBe(a); // same size class
    expect(hostPoolBytes()).toBe(0);
    recycleHostArray(new Float32Array(8192).subarray(0, 4096)); // does not own its buffer
    recycleHostArray(new Float32Array(16)); // too small to pool
    recycleHostArray(new Float32Array(4100)); // not a size-class length
    expect(hostPoolBytes()).toBe(0);
  });

  for (const [name, make] of cases) {
    it(`${name}: the same values with a poisoned pool`, () => {
      clearHostPool();
      const fresh = tidy(() => make().dataSync().slice());
      clearHostPool();
      poison();
      const reused = tidy(() => make().dataSync().slice());
      expect(Array.from(reused)).toEqual(Array.from(fresh));
    });
  }
});
