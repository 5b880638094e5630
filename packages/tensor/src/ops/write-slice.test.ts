// writeSlice's contract beyond the conformance values: it writes in place (every view of the
// storage sees it), allocates nothing, refuses what it cannot do with errors that name the
// shapes, and matmul reads the batch-strided views it fills without a contiguous copy.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerCpuBackend } from '../cpu/cpu-backend.js';
import { getKernel } from '../kernel-registry.js';
import { memory, tidy } from '../index.js';
import { expectClose } from '../testing/expect-close.js';
import { matmulRef, sliceRef } from '../testing/reference.js';
import { randomArray, Rng } from '../testing/random-array.js';
import { tensor, zeros } from './creation.js';
import { mul } from './elementwise.js';
import { matmul } from './matmul.js';
import { broadcastTo, sliceAxis, transpose } from './views.js';
import { writeSlice } from './write-slice.js';

registerCpuBackend();

afterEach(() => vi.restoreAllMocks());

describe('writeSlice', () => {
  it('writes in place: views taken before the write see it, and no memory is allocated', () => {
    const rng = new Rng(3);
    const buf = zeros([2, 3, 6, 4]);
    const prefix = sliceAxis(buf, 2, 0, 3); // a view made before the write
    const src = randomArray([2, 3, 2, 4], rng);
    const k = tensor(src.data, src.shape);
    const before = memory();
    writeSlice(buf, k, 2, 1);
    expect(memory()).toEqual(before);
    const got = prefix.dataSync();
    const want = new Float64Array(2 * 3 * 3 * 4);
    for (let b = 0; b < 6; b++) for (let p = 1; p < 3; p++) for (let d = 0; d < 4; d++) want[b * 12 + p * 4 + d] = src.data[b * 8 + (p - 1) * 4 + d]!;
    expectClose(got, want, { rtol: 0, atol: 0 });
    for (const t of [buf, prefix, k]) t.dispose();
  });

  it('rejects mismatched shapes, dtypes and out-of-range windows, naming the shapes', () => {
    const buf = zeros([1, 2, 8, 4]);
    const k = zeros([1, 2, 3, 4]);
    expect(() => writeSlice(buf, zeros([1, 2, 3, 5]), 2, 0)).toThrow('writeSlice: src [1, 2, 3, 5] into dst [1, 2, 8, 4] at axis 2, start 0: axis 3 differs');
    expect(() => writeSlice(buf, k, 2, 6)).toThrow('writeSlice: src [1, 2, 3, 4] into dst [1, 2, 8, 4] at axis 2, start 6: positions [6, 9) are outside [0, 8)');
    expect(() => writeSlice(buf, k, 2, -1)).toThrow(/positions \[-1, 2\) are outside/);
    expect(() => writeSlice(buf, zeros([2, 3, 4]), 1, 0)).toThrow(/ranks differ/);
    expect(() => writeSlice(buf, zeros([1, 2, 3, 4], { dtype: 'i32' }), 2, 0)).toThrow(/dtypes differ \(i32 into f32\)/);
    expect(() => writeSlice(buf, k, 4, 0)).toThrow(/writeSlice: axis 4 is out of range for rank 4/);
    tidy(() => {
      expect(() => writeSlice(broadcastTo(zeros([1, 4]), [3, 4]), zeros([1, 4]), 0, 0)).toThrow(/broadcast view/);
      expect(() => writeSlice(buf, sliceAxis(buf, 2, 0, 3), 2, 4)).toThrow(/views the target's own storage/);
    });
    buf.dispose();
    k.dispose();
  });

  it('refuses tensors that take part in autograd', () => {
    const buf = zeros([4, 3]);
    const src = zeros([1, 3]);
    src.requiresGrad = true;
    expect(() => writeSlice(buf, src, 0, 0)).toThrow('writeSlice: input 1 [1, 3] requires grad; in-place writes are not differentiable (run under noGrad, or detach)');
    const w = zeros([4, 3]);
    w.requiresGrad = true;
    expect(() => writeSlice(w, zeros([1, 3]), 0, 0)).toThrow(/the target \[4, 3\] requires grad/);
    for (const t of [buf, src, w]) t.dispose();
  });
});

describe('matmul on batch-strided views', () => {
  it('reads a KV-cache prefix view without a contiguous copy, and still copies a transposed matrix', () => {
    const rng = new Rng(5);
    const qv = randomArray([1, 2, 3, 8], rng);
    const kv = randomArray([1, 2, 10, 8], rng);
    const q = tensor(qv.data, qv.shape);
    const kbuf = tensor(kv.data, kv.shape);
    const contiguousKernel = getKernel('cpu', 'contiguous')!;
    const copies = vi.spyOn(contiguousKernel, 'run');
    const scores = tidy(() => matmul(q, sliceAxis(kbuf, 2, 0, 7), { transposeB: true }));
    expect(copies).not.toHaveBeenCalled();
    expectClose(scores.dataSync(), matmulRef(qv, sliceRef(kv, [0, 0, 0, 0], [1, 2, 7, 8]), { transposeB: true }).data);
    // The prefix with its matrix transposed is not row-dense: it arrives contiguous, as before.
    tidy(() => mul(matmul(transpose(sliceAxis(kbuf, 2, 0, 7)), q, { transposeA: true, transposeB: true }), 1));
    expect(copies).toHaveBeenCalledTimes(1);
    for (const t of [q, kbuf, scores]) t.dispose();
  });
});
