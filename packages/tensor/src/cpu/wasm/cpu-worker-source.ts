/**
 * The body of each CPU worker thread, as a CommonJS script for `new Worker(src, { eval: true })`.
 * It is a string, not a module file, so that it runs the same from TypeScript sources (tsx,
 * vitest) and from dist without a bundler or loader hook; it only forwards calls to the WASM
 * kernels, so it stays tiny. Protocol (Int32 words at control offset `slot·CONTROL_SLOT_WORDS`):
 *   [0] seq   the main thread bumps it to hand over a task (negative: exit)
 *   [1] done  the worker copies seq here when the task is finished
 *   [2] ready 1 once the WASM instance exists
 *   [3] op    0 = gemm, 1 = dotRows, 2 = dotRowsQ8, 3 = dotRowsQ4, 4 = gemm over a run of batches
 *   [4..]     the kernel's arguments (op 4: the byte address of `count` (a, b, c) address
 *             triples in memory, `count`, then gemm's arguments from ldc on)
 *   [30, 31]  an f64: when the worker finished the task (performance.timeOrigin + now(), ms),
 *             written before `done`; the main thread sizes the next split by it
 */
export const CONTROL_SLOT_WORDS = 32;
/** The word where a slot's finish time (an f64 over two words) starts. */
export const FINISHED_AT_WORD = 30;

export const CPU_WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, slot, slotWords } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, 0, 16384);
const finishedAt = new Float64Array(memory.buffer, 0, 8192);
const base = slot * slotWords;
const p = base + 4;
let seq = 0;
Atomics.store(ctl, base + 2, 1);
Atomics.notify(ctl, base + 2);
for (;;) {
  Atomics.wait(ctl, base, seq);
  const s = Atomics.load(ctl, base);
  if (s < 0) break;
  seq = s;
  const op = ctl[base + 3];
  if (op === 0) {
    k.gemm(ctl[p], ctl[p + 1], ctl[p + 2], ctl[p + 3], ctl[p + 4], ctl[p + 5], ctl[p + 6], ctl[p + 7], ctl[p + 8], ctl[p + 9], ctl[p + 10]);
  } else if (op === 4) {
    const t = ctl[p] >> 2;
    const tbl = new Int32Array(memory.buffer); // a fresh view: memory may have grown since start
    for (let i = 0; i < ctl[p + 1]; i++) {
      k.gemm(tbl[t + 3 * i], tbl[t + 3 * i + 1], tbl[t + 3 * i + 2], ctl[p + 2], ctl[p + 3], ctl[p + 4], ctl[p + 5], ctl[p + 6], ctl[p + 7], ctl[p + 8], ctl[p + 9]);
    }
  } else if (op === 1) {
    k.dotRows(ctl[p], ctl[p + 1], ctl[p + 2], ctl[p + 3], ctl[p + 4], ctl[p + 5], ctl[p + 6]);
  } else {
    (op === 2 ? k.dotRowsQ8 : k.dotRowsQ4)(ctl[p], ctl[p + 1], ctl[p + 2], ctl[p + 3], ctl[p + 4], ctl[p + 5], ctl[p + 6], ctl[p + 7]);
  }
  finishedAt[(base + ${FINISHED_AT_WORD}) / 2] = performance.timeOrigin + performance.now();
  Atomics.store(ctl, base + 1, s);
  Atomics.notify(ctl, base + 1);
}
`;
