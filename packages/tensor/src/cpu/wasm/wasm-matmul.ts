/**
 * The fast CPU matmul: WebAssembly SIMD kernels (matmul.wat) spread over worker threads.
 *
 * Where data lives: CPU tensors are plain host typed arrays, so each call stages its operands in
 * one WebAssembly.Memory (shared when threads are available): A packed into 4-row panels, B
 * into 8-column panels (transposes and f16/bf16 decoding happen while packing), C padded to the
 * panel grid. Staging is O(n²) against O(n³) compute. The memory grows on demand and never
 * shrinks (a 4096×11008 f32 weight keeps ~180 MB reserved).
 *
 * Threads: the main thread plus `threads − 1` workers (`worker_threads`, unref'd) instantiate
 * the same module on the same shared memory. The main thread hands each worker a slice of the
 * panel grid through control words, runs its own slice, then blocks with `Atomics.wait` until
 * all are done, so kernels stay synchronous like every other backend's. Where blocking the
 * main thread is not allowed (browsers) or there is no SharedArrayBuffer, the same kernels run
 * single-threaded on a private memory.
 *
 * A batched product of many small matrices (attention's [batch·heads, T, T]) would hand over one
 * slice per batch and wait for it; instead every batch is packed first and whole batches are
 * split across the threads, one hand-over per call. Each element is the same sum in the same
 * order either way (each C tile is one thread's over all of K), so the results are bit-identical.
 *
 * Decode-time matvec (m ≤ 4 with transposeB) skips packing: B's rows are copied as is and
 * `dotRows` takes dot products, which keeps the O(n²) copy close to the O(n²) compute.
 */
import { f16ToF32Table } from '../../dtype.js';
import { QUANT_BLOCK, type QuantFormat, valuesPerWord } from '../../quantize.js';
import type { MatmulAttrs } from '../../ops/matmul.js';
import type { TensorView } from '../../kernel-registry.js';
import { CONTROL_SLOT_WORDS, CPU_WORKER_SOURCE, FINISHED_AT_WORD } from './cpu-worker-source.js';
import { MATMUL_WASM_LOCAL_BASE64, MATMUL_WASM_SHARED_BASE64 } from './matmul-wasm.generated.js';

/** The shape of a (broadcast) batched matmul: see `planMatmul`. */
export interface WasmMatmulPlan {
  m: number;
  k: number;
  n: number;
  aOffsets: Int32Array;
  bOffsets: Int32Array;
}

/** The module's exports (matmul.wat). */
export interface MatmulExports {
  gemm(a: number, b: number, c: number, ldc: number, k: number, ni: number, nj: number, aStride: number, bStride: number, kc: number, mcp: number): void;
  pack(src: number, dst: number, rows: number, depth: number, w: number, rs: number, ds: number): void;
  dotRows(a: number, b: number, c: number, m: number, nj: number, k: number, ldc: number): void;
  dotRowsQ8(a: number, q: number, sc: number, c: number, m: number, nj: number, k: number, ldc: number): void;
  dotRowsQ4(a: number, q: number, sc: number, c: number, m: number, nj: number, k: number, ldc: number): void;
  adamw(p: number, g: number, m: number, v: number, n: number, decay: number, keep: number, b1: number, c1: number, b2: number, c2: number, sqrtBc2: number, eps: number, step: number): void;
  addF32(a: number, b: number, o: number, n: number, aStep: number, bStep: number): void;
  subF32(a: number, b: number, o: number, n: number, aStep: number, bStep: number): void;
  mulF32(a: number, b: number, o: number, n: number, aStep: number, bStep: number): void;
  divF32(a: number, b: number, o: number, n: number, aStep: number, bStep: number): void;
}

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreadsModule {
  Worker: new (src: string, opts: { eval: true; workerData: unknown }) => WorkerLike;
  isMainThread: boolean;
}

const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;
/** Bytes reserved at the start of memory for worker control words. */
const CONTROL_BYTES = PAGE_BYTES;
/** K block (steps per micro-kernel call) and M block (4-row panels per L2 block). */
const KC = 256;
const MC_PANELS = 32;
/** Products below this many multiply-adds run on the main thread only. */
const PARALLEL_MIN_MACS = 1 << 18;
/** Batched products whose batches each take fewer multiply-adds than this are split by batch. */
const BATCH_SPLIT_MAX_MACS = 1 << 23;
/** …as long as all their packed batches fit in this many bytes of staging. */
const BATCH_SPLIT_MAX_BYTES = 64 << 20;
/** m at or below this with transposeB uses the unpacked `dotRows` path. */
const MATVEC_MAX_M = 4;

interface WasmState {
  memory: WebAssembly.Memory;
  kernels: MatmulExports;
  workers: WorkerLike[];
  control: Int32Array;
  /** The control words as f64 (each slot's FINISHED_AT_WORD pair holds a worker's finish time). */
  controlF64: Float64Array;
  seq: number;
  /** Each worker's speed relative to the main thread's, as measured by `runSplit`; 1 to start. */
  speed: number[];
  /** The last `wasmStaging` answer. */
  staging?: WasmStaging;
}

let state: WasmState | null | undefined;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** `node:worker_threads` when this is Node's main thread or a worker that may block; else null. */
function workerThreads(): WorkerThreadsModule | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsModule | undefined) ?? null;
}

/** How many threads (main included) to use: `EVEJS_CPU_THREADS`, else the core count, at most 8. */
function threadCount(): number {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const fromEnv = Number(proc?.env?.EVEJS_CPU_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  const os = (proc as { getBuiltinModule?: (id: string) => unknown } | undefined)?.getBuiltinModule?.('node:os') as
    | { availableParallelism?: () => number; cpus: () => unknown[] }
    | undefined;
  const cores = os?.availableParallelism?.() ?? os?.cpus().length ?? (globalThis.navigator?.hardwareConcurrency || 1);
  return Math.max(1, Math.min(8, cores));
}

function createState(): WasmState | null {
  if (typeof WebAssembly !== 'object') return null;
  const wt = threadCount() > 1 ? workerThreads() : null;
  const shared = wt !== null && typeof SharedArrayBuffer === 'function';
  const bytes = decodeBase64(shared ? MATMUL_WASM_SHARED_BASE64 : MATMUL_WASM_LOCAL_BASE64);
  if (!WebAssembly.validate(bytes)) return null; // no SIMD (or no threads) here
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared } as WebAssembly.MemoryDescriptor);
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as MatmulExports;
  const control = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
  const workers: WorkerLike[] = [];
  if (shared) {
    for (let slot = 1; slot < threadCount(); slot++) {
      const w = new wt.Worker(CPU_WORKER_SOURCE, { eval: true, workerData: { module, memory, slot, slotWords: CONTROL_SLOT_WORDS } });
      w.unref();
      workers.push(w);
    }
    for (let slot = 1; slot <= workers.length; slot++) {
      if (Atomics.wait(control, slot * CONTROL_SLOT_WORDS + 2, 0, 10_000) === 'timed-out' && control[slot * CONTROL_SLOT_WORDS + 2] !== 1) {
        for (const w of workers) void w.terminate();
        workers.length = 0;
        break;
      }
    }
  }
  return { memory, kernels, workers, control, controlF64: new Float64Array(memory.buffer, 0, CONTROL_BYTES / 8), seq: 0, speed: workers.map(() => 1) };
}

function getState(): WasmState | null {
  if (state === undefined) state = createState();
  return state;
}

/** Whether the WASM matmul can run here (WebAssembly SIMD is available). */
export function isWasmMatmulAvailable(): boolean {
  return getState() !== null;
}

/** Threads the WASM matmul uses (1 = main thread only). Starts the workers if needed. */
export function cpuThreadCount(): number {
  const s = getState();
  return s ? s.workers.length + 1 : 0;
}

/** Stops the CPU worker threads; the next matmul starts them again. Lets test runners exit. */
export async function disposeCpuWorkers(): Promise<void> {
  const s = state;
  state = undefined;
  if (!s) return;
  for (let slot = 1; slot <= s.workers.length; slot++) {
    Atomics.store(s.control, slot * CONTROL_SLOT_WORDS, -1);
    Atomics.notify(s.control, slot * CONTROL_SLOT_WORDS);
  }
  await Promise.all(s.workers.map((w) => w.terminate()));
}

/**
 * For kernels that run on the main thread only and stage their own operands (elementwise ops):
 * the WASM exports, an f32 view of memory with at least `bytes` past the control block, and the
 * f32 index where that free area starts; null where WebAssembly SIMD is unavailable. The view
 * stays valid until the memory next grows (any later call may grow it).
 */
export function wasmStaging(bytes: number): WasmStaging | null {
  const s = getState();
  if (!s) return null;
  // Reused while it covers `bytes`: elementwise kernels call this once per row. A view of a
  // grown private memory is detached (length 0) and replaced; one of a shared memory stays valid.
  if (!s.staging || s.staging.mem.length * 4 < CONTROL_BYTES + bytes) s.staging = { kernels: s.kernels, mem: reserve(s, bytes), at: CONTROL_BYTES / 4 };
  return s.staging;
}

/** What `wasmStaging` hands out. */
export interface WasmStaging {
  kernels: MatmulExports;
  mem: Float32Array;
  at: number;
}

/**
 * 0 or 1: where, by parity, to put the copy of `src` from element `index` in WASM memory. V8
 * copies into and out of a SharedArrayBuffer (the threaded memory) with a relaxed-atomic memcpy
 * that falls back to single bytes unless source and destination are equally aligned to 8 bytes:
 * `Float32Array.set` of an odd-offset run into an even-offset area took 3× as long. So staging
 * areas are shifted to each copy's parity; the kernels' v128 loads need no alignment.
 */
export function sharedCopyParity(src: Float32Array, index: number): 0 | 1 {
  return ((src.byteOffset / 4 + index) & 1) as 0 | 1;
}

/** Makes sure memory has `bytes` past the control block; returns a fresh f32 view of it all. */
function reserve(s: WasmState, bytes: number): Float32Array {
  const need = CONTROL_BYTES + bytes;
  if (need > MAX_PAGES * PAGE_BYTES) throw new RangeError(`matmul needs ${need} bytes of WASM memory (> 4 GiB)`);
  const have = s.memory.buffer.byteLength;
  if (need > have) s.memory.grow(Math.ceil((need - have) / PAGE_BYTES));
  return new Float32Array(s.memory.buffer);
}

/** The absolute time in ms, comparable between threads. */
const clock = (): number => performance.timeOrigin + performance.now();

/** Durations below this (ms) are too short to measure a thread's speed by. */
const MIN_TIMED_MS = 0.02;
/** Weight of the newest measurement in each worker's running speed. */
const SPEED_STEP = 0.25;

/**
 * Runs `op` over the units [0, count) (panels, rows or batches) in contiguous ranges, one per
 * thread: the first on this thread, the others on workers; `argsOf(lo, hi)` gives a range's
 * kernel arguments. Blocks until every range is done.
 *
 * The ranges are sized by each worker's measured speed relative to this thread, so that all
 * finish together. Equal ranges left the main thread waiting a sixth of a training step: a
 * worker shares its core with V8's garbage-collector and compiler threads, and reads operands
 * this thread has just packed into its own cache. Each worker stamps its finish time, and the
 * ratio of units per ms is folded into its running speed. Every output element is computed whole
 * by one thread, so the split never changes a value.
 */
function runSplit(s: WasmState, op: 0 | 1 | 2 | 3 | 4, count: number, threads: number, argsOf: (lo: number, hi: number) => number[]): void {
  const ranges = splitWeighted(count, threads > 1 ? [1, ...s.speed.slice(0, threads - 1)] : [1]);
  const seq = ++s.seq;
  const start = clock();
  for (let t = 1; t < ranges.length; t++) {
    const base = t * CONTROL_SLOT_WORDS;
    s.control[base + 3] = op;
    s.control.set(argsOf(...ranges[t]!), base + 4);
    Atomics.store(s.control, base, seq);
    Atomics.notify(s.control, base);
  }
  const mine = argsOf(...ranges[0]!);
  if (op === 0) s.kernels.gemm(...(mine as Parameters<MatmulExports['gemm']>));
  else if (op === 4) gemmBatchRun(s, mine);
  else if (op === 1) s.kernels.dotRows(...(mine as Parameters<MatmulExports['dotRows']>));
  else (op === 2 ? s.kernels.dotRowsQ8 : s.kernels.dotRowsQ4)(...(mine as Parameters<MatmulExports['dotRowsQ8']>));
  const mineMs = clock() - start;
  for (let t = 1; t < ranges.length; t++) {
    const idx = t * CONTROL_SLOT_WORDS + 1;
    for (let d = Atomics.load(s.control, idx); d !== seq; d = Atomics.load(s.control, idx)) Atomics.wait(s.control, idx, d);
  }
  if (ranges.length !== threads || mineMs < MIN_TIMED_MS) return; // a range was empty, or too short to time
  const mineRate = (ranges[0]![1] - ranges[0]![0]) / mineMs;
  for (let t = 1; t < ranges.length; t++) {
    const ms = s.controlF64[(t * CONTROL_SLOT_WORDS + FINISHED_AT_WORD) / 2]! - start;
    if (ms < MIN_TIMED_MS) continue;
    const relative = (ranges[t]![1] - ranges[t]![0]) / ms / mineRate;
    s.speed[t - 1] = Math.min(20, Math.max(0.05, s.speed[t - 1]! + SPEED_STEP * (relative - s.speed[t - 1]!)));
  }
}

/** Op 4 on this thread: gemm over `count` (a, b, c) triples at byte `table` (see the worker source). */
function gemmBatchRun(s: WasmState, [table, count, ...rest]: number[]): void {
  const tbl = new Int32Array(s.memory.buffer, table!, 3 * count!);
  const [ldc, k, ni, nj, aStride, bStride, kc, mcp] = rest as [number, number, number, number, number, number, number, number];
  for (let i = 0; i < count!; i++) s.kernels.gemm(tbl[3 * i]!, tbl[3 * i + 1]!, tbl[3 * i + 2]!, ldc, k, ni, nj, aStride, bStride, kc, mcp);
}

/** Splits [0, count) into contiguous ranges in proportion to `weights` (empty ones dropped). */
export function splitWeighted(count: number, weights: readonly number[]): [number, number][] {
  const total = weights.reduce((a, b) => a + b, 0);
  const out: [number, number][] = [];
  let lo = 0;
  let acc = 0;
  for (let t = 0; t < weights.length; t++) {
    acc += weights[t]!;
    const hi = t === weights.length - 1 ? count : Math.round((count * acc) / total);
    if (hi > lo) out.push([lo, hi]);
    lo = Math.max(lo, hi);
  }
  return out;
}

/**
 * Writes the f32 values of `count` elements of B (from element `offset`) into `mem` at `dst`.
 * f16 goes through a table and bf16 through a 16-bit shift, straight into WASM memory: a fresh
 * 64 MB temporary costs more in first-touch page faults than the decoding itself (~1.5 s on the
 * VMs we measured on). Still an O(n²) pass per call: weights are not cached in f32.
 */
function decodeBInto(b: TensorView, offset: number, count: number, mem: Float32Array, dst: number): void {
  if (b.dtype === 'f32') {
    mem.set((b.storage as Float32Array).subarray(offset, offset + count), dst);
    return;
  }
  const src = b.storage as Uint16Array;
  if (b.dtype === 'bf16') {
    const bits = new Uint32Array(mem.buffer, mem.byteOffset + dst * 4, count);
    for (let i = 0; i < count; i++) bits[i] = src[offset + i]! << 16;
    return;
  }
  const table = f16ToF32Table();
  for (let i = 0; i < count; i++) mem[dst + i] = table[src[offset + i]!]!;
}

/**
 * Byte strides (row, depth) of op(A)'s element (i, p) in A's dense storage, for `pack`:
 * op(A) is [m, k]; A is stored [m, k], or [k, m] when transposed.
 */
function aPackStrides(transposed: boolean, m: number, k: number): [number, number] {
  return transposed ? [4, m * 4] : [k * 4, 4];
}

/**
 * The same for B, whose panels run over op(B)'s columns: element (j, p) is op(B)[p, j], op(B) is
 * [k, n]; B is stored [k, n], or [n, k] when transposed.
 */
function bPackStrides(transposed: boolean, k: number, n: number): [number, number] {
  return transposed ? [k * 4, 4] : [4, n * 4];
}

/**
 * Stages one batch's A (dense f32, m·k values from `off`) at byte `scratch` as it is stored, one
 * memcpy (at the parity of `off`, see sharedCopyParity), and packs it into 4-row panels at byte
 * `dst` in WASM (`pack`): transposing while packing is a strided loop that JavaScript typed
 * arrays run several times slower.
 */
function stageA(s: WasmState, mem: Float32Array, src: Float32Array, off: number, transposed: boolean, m: number, k: number, scratch: number, dst: number): void {
  const at = scratch + 4 * sharedCopyParity(src, off);
  mem.set(src.subarray(off, off + m * k), at / 4);
  s.kernels.pack(at, dst, m, k, 4, ...aPackStrides(transposed, m, k));
}

/** The same for B (f32, or f16/bf16 decoded while staging) into 8-column panels. */
function stageB(s: WasmState, mem: Float32Array, b: TensorView, off: number, transposed: boolean, k: number, n: number, scratch: number, dst: number): void {
  const at = scratch + (b.dtype === 'f32' ? 4 * sharedCopyParity(b.storage as Float32Array, off) : 0);
  decodeBInto(b, off, n * k, mem, at / 4);
  s.kernels.pack(at, dst, n, k, 8, ...bPackStrides(transposed, k, n));
}

/**
 * The WASM matmul of contiguous views (f32 A; f32/f16/bf16 B). Returns the [batch·m·n] output
 * (written into `into` when given: at least that long, e.g. from the host pool), or null where
 * WebAssembly SIMD is unavailable (the caller then uses `matmulNaive`).
 */
export function matmulWasm(a: TensorView, b: TensorView, attrs: MatmulAttrs, plan: WasmMatmulPlan, into?: Float32Array): Float32Array | null {
  const s = getState();
  if (!s) return null;
  const { m, k, n, aOffsets, bOffsets } = plan;
  const ad = a.storage as Float32Array;
  const nb = aOffsets.length;
  if (k === 0) return into ? into.fill(0) : new Float32Array(nb * m * n);
  const out = into ?? new Float32Array(nb * m * n);
  if (nb * m * n === 0) return out;
  const threads = m * n * k >= PARALLEL_MIN_MACS ? s.workers.length + 1 : 1;

  if (attrs.transposeB && m <= MATVEC_MAX_M) {
    // Matvec-like: A rows and B rows as they are; C [m, n] written directly.
    const aBytes = m * k * 4;
    const bBytes = n * k * 4;
    let mem = reserve(s, aBytes + bBytes + m * n * 4);
    const aAt = CONTROL_BYTES;
    const bAt = aAt + aBytes;
    const cAt = bAt + bBytes;
    let lastB = -1;
    for (let bi = 0; bi < nb; bi++) {
      mem = new Float32Array(s.memory.buffer);
      if (attrs.transposeA) packRowsTransposed(ad, aOffsets[bi]!, m, k, mem, aAt / 4);
      else mem.set(ad.subarray(aOffsets[bi]!, aOffsets[bi]! + m * k), aAt / 4);
      if (bOffsets[bi] !== lastB) decodeBInto(b, bOffsets[bi]!, n * k, mem, bAt / 4);
      lastB = bOffsets[bi]!;
      runSplit(s, 1, n, threads, (lo, hi) => [aAt, bAt + lo * k * 4, cAt + lo * 4, m, hi - lo, k, n * 4]);
      out.set(mem.subarray(cAt / 4, cAt / 4 + m * n), bi * m * n);
    }
    return out;
  }

  const ni = Math.ceil(m / 4);
  const nj = Math.ceil(n / 8);
  const ldc = nj * 8;
  const aPanel = k * 16;
  const bPanel = k * 32;
  const aAt = CONTROL_BYTES;
  const bAt = aAt + ni * aPanel;
  const cAt = bAt + nj * bPanel;
  const cBytes = ni * 4 * ldc * 4;
  if (s.workers.length > 0 && nb > 1 && b.dtype === 'f32' && m * n * k < BATCH_SPLIT_MAX_MACS && nb * m * n * k >= PARALLEL_MIN_MACS) {
    const staged = nb * (12 + ni * aPanel + nj * bPanel + cBytes);
    if (staged <= BATCH_SPLIT_MAX_BYTES) return gemmSplitByBatch(s, ad, b, attrs, plan, out, { ni, nj, ldc, aPanel, bPanel, cBytes });
  }
  // A and B are staged as stored at `scratchAt` (B decoded to f32 there), then packed from there.
  const scratchAt = cAt + cBytes;
  const mem = reserve(s, scratchAt - CONTROL_BYTES + Math.max(m, n) * k * 4 + 4);
  let lastB = -1;
  for (let bi = 0; bi < nb; bi++) {
    stageA(s, mem, ad, aOffsets[bi]!, attrs.transposeA, m, k, scratchAt, aAt);
    if (bOffsets[bi] !== lastB) stageB(s, mem, b, bOffsets[bi]!, attrs.transposeB, k, n, scratchAt, bAt);
    lastB = bOffsets[bi]!;
    // Split along whichever panel count is larger, so every thread gets work.
    if (nj >= ni) runSplit(s, 0, nj, threads, (lo, hi) => [aAt, bAt + lo * bPanel, cAt + lo * 32, ldc * 4, k, ni, hi - lo, aPanel, bPanel, KC, MC_PANELS]);
    else runSplit(s, 0, ni, threads, (lo, hi) => [aAt + lo * aPanel, bAt, cAt + lo * 4 * ldc * 4, ldc * 4, k, hi - lo, nj, aPanel, bPanel, KC, MC_PANELS]);
    const c0 = cAt / 4;
    const o0 = bi * m * n;
    if (ldc === n) out.set(mem.subarray(c0, c0 + m * n), o0);
    else for (let i = 0; i < m; i++) out.set(mem.subarray(c0 + i * ldc, c0 + i * ldc + n), o0 + i * n);
  }
  return out;
}

/** Panel geometry of one batch of the packed gemm (see matmulWasm). */
interface PanelGeometry {
  ni: number;
  nj: number;
  /** Row stride of the padded C, in floats. */
  ldc: number;
  /** Bytes per A panel, per B panel, and of one padded C. */
  aPanel: number;
  bPanel: number;
  cBytes: number;
}

/**
 * The packed gemm of a batched product split by batch: every batch's A, B (once per run of equal
 * B offsets) and C are staged side by side with a table of their addresses, then each thread
 * runs gemm over its contiguous share of the batches (op 4).
 */
function gemmSplitByBatch(s: WasmState, ad: Float32Array, b: TensorView, attrs: MatmulAttrs, plan: WasmMatmulPlan, out: Float32Array, g: PanelGeometry): Float32Array {
  const { m, k, n, aOffsets, bOffsets } = plan;
  const nb = aOffsets.length;
  const aBytes = g.ni * g.aPanel;
  const bBytes = g.nj * g.bPanel;
  const bSlot = new Int32Array(nb);
  let slots = 0;
  for (let bi = 0; bi < nb; bi++) bSlot[bi] = bi > 0 && bOffsets[bi] === bOffsets[bi - 1] ? bSlot[bi - 1]! : slots++;
  const tableAt = CONTROL_BYTES;
  const aAt = tableAt + Math.ceil((nb * 12) / 16) * 16;
  const bAt = aAt + nb * aBytes;
  const cAt = bAt + slots * bBytes;
  const scratchAt = cAt + nb * g.cBytes;
  const mem = reserve(s, scratchAt - CONTROL_BYTES + Math.max(m, n) * k * 4 + 4);
  const table = new Int32Array(s.memory.buffer, tableAt, 3 * nb);
  for (let bi = 0; bi < nb; bi++) {
    stageA(s, mem, ad, aOffsets[bi]!, attrs.transposeA, m, k, scratchAt, aAt + bi * aBytes);
    const bHere = bAt + bSlot[bi]! * bBytes;
    if (bi === 0 || bSlot[bi] !== bSlot[bi - 1]) stageB(s, mem, b, bOffsets[bi]!, attrs.transposeB, k, n, scratchAt, bHere);
    table.set([aAt + bi * aBytes, bHere, cAt + bi * g.cBytes], 3 * bi);
  }
  runSplit(s, 4, nb, s.workers.length + 1, (lo, hi) => [tableAt + lo * 12, hi - lo, g.ldc * 4, k, g.ni, g.nj, g.aPanel, g.bPanel, KC, MC_PANELS]);
  for (let bi = 0; bi < nb; bi++) {
    const c0 = (cAt + bi * g.cBytes) / 4;
    const o0 = bi * m * n;
    if (g.ldc === n) out.set(mem.subarray(c0, c0 + m * n), o0);
    else for (let i = 0; i < m; i++) out.set(mem.subarray(c0 + i * g.ldc, c0 + i * g.ldc + n), o0 + i * n);
  }
  return out;
}

/** Copies op(A) = Aᵀ (A stored [k, m]) as row-major [m, k] at `dst` (f32 index). */
function packRowsTransposed(src: Float32Array, off: number, m: number, k: number, mem: Float32Array, dst: number): void {
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) mem[dst + i * k + p] = src[off + p * m + i]!;
}

/**
 * Decode-time product with a block-quantised weight: out[i, r] = Σₖ x[i, k]·W[r, k] for i < m
 * (m ≤ 4), with `quants` (packed i32 words: int8 or nibbles) copied into WASM memory as they are
 * — a quarter / an eighth of f32's bytes — and the f16 scales decoded to f32 beside them; the
 * rows of W are split across the worker threads (dotRowsQ8 / dotRowsQ4 in matmul.wat). Returns
 * false where WebAssembly SIMD is unavailable (the caller then uses its TypeScript loop).
 */
export function quantizedMatvecWasm(
  format: QuantFormat,
  x: Float32Array,
  xOff: number,
  m: number,
  k: number,
  quants: TensorView,
  scales: TensorView,
  n: number,
  out: Float32Array,
): boolean {
  const s = getState();
  if (!s) return false;
  // Bytes of one row of packed quants: k values at valuesPerWord per 4-byte word.
  const rowBytes = (k * 4) / valuesPerWord(format);
  const qBytes = n * rowBytes;
  const blocks = (n * k) / QUANT_BLOCK;
  const xAt = CONTROL_BYTES;
  const qAt = xAt + m * k * 4;
  const sAt = qAt + Math.ceil(qBytes / 16) * 16;
  const cAt = sAt + blocks * 4;
  const mem = reserve(s, cAt - CONTROL_BYTES + m * n * 4);
  mem.set(x.subarray(xOff, xOff + m * k), xAt / 4);
  const q = quants.storage as Int32Array;
  new Uint8Array(s.memory.buffer, qAt, qBytes).set(new Uint8Array(q.buffer, q.byteOffset + quants.offset * 4, qBytes));
  const table = f16ToF32Table();
  const sc = scales.storage as Uint16Array;
  for (let i = 0, d = sAt / 4, o = scales.offset; i < blocks; i++) mem[d + i] = table[sc[o + i]!]!;
  const threads = m * n * k >= PARALLEL_MIN_MACS ? s.workers.length + 1 : 1;
  runSplit(s, format === 'q8_0' ? 2 : 3, n, threads, (lo, hi) => [xAt, qAt + lo * rowBytes, sAt + lo * (k / QUANT_BLOCK) * 4, cAt + lo * 4, m, hi - lo, k, n * 4]);
  out.set(mem.subarray(cAt / 4, cAt / 4 + m * n));
  return true;
}

/** The f32 scalars of one AdamW step (see the `adamw` kernel in matmul.wat). */
export interface AdamWScalars {
  decay: boolean;
  keep: number;
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  sqrtBc2: number;
  eps: number;
  step: number;
}

/** Values per chunk of the WASM AdamW step: four 64 KiB operands, which stay in L2. */
const ADAMW_CHUNK = 16384;

/**
 * One AdamW step of `n` values with the WASM SIMD kernel, on the main thread: p, g, m, v (from
 * their offsets) are copied into WASM memory a chunk at a time, updated there, and the new p, m,
 * v copied out. Returns false where WebAssembly SIMD is unavailable (the caller then runs its
 * TypeScript loop, which gives the same values).
 */
export function adamwWasm(
  inputs: { p: Float32Array; g: Float32Array; m: Float32Array; v: Float32Array; offsets: readonly [number, number, number, number] },
  n: number,
  c: AdamWScalars,
  out: { p: Float32Array; m: Float32Array; v: Float32Array },
): boolean {
  const s = getState();
  if (!s) return false;
  const bytes = ADAMW_CHUNK * 4;
  const mem = reserve(s, 4 * bytes);
  const at = [0, 1, 2, 3].map((k) => CONTROL_BYTES / 4 + k * ADAMW_CHUNK) as [number, number, number, number];
  const [po, go, mo, vo] = inputs.offsets;
  for (let lo = 0; lo < n; lo += ADAMW_CHUNK) {
    const len = Math.min(ADAMW_CHUNK, n - lo);
    mem.set(inputs.p.subarray(po + lo, po + lo + len), at[0]);
    mem.set(inputs.g.subarray(go + lo, go + lo + len), at[1]);
    mem.set(inputs.m.subarray(mo + lo, mo + lo + len), at[2]);
    mem.set(inputs.v.subarray(vo + lo, vo + lo + len), at[3]);
    const padded = Math.ceil(len / 4) * 4; // the tail lanes hold earlier values: computed, never copied out
    s.kernels.adamw(at[0] * 4, at[1] * 4, at[2] * 4, at[3] * 4, padded, c.decay ? 1 : 0, c.keep, c.b1, c.c1, c.b2, c.c2, c.sqrtBc2, c.eps, c.step);
    out.p.set(mem.subarray(at[0], at[0] + len), lo);
    out.m.set(mem.subarray(at[2], at[2] + len), lo);
    out.v.set(mem.subarray(at[3], at[3] + len), lo);
  }
  return true;
}

