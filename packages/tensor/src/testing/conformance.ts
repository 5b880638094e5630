/**
 * `describeOpConformance(backend)`: registers one vitest suite that runs every conformance case
 * (conformance-cases.ts) on a backend: forward against the float64 reference, backward against
 * finite differences of it, and a leak check. Every backend package calls this same suite.
 *
 * Inputs are created on the backend under test and read back with `await t.data()`, so GPU
 * backends (which cannot read synchronously) work. Nothing passes silently:
 *   - a case needing a kernel the backend lacks is registered as skipped, named
 *     "<case>: no <backend> kernel for <op> (falls back to cpu)", unless `runFallbacks` is set, in
 *     which case it runs through the engine's CPU fallback and its name says so;
 *   - a backend that fails to initialise skips every case with the reason.
 * Register the backend (and its kernels) before calling this: kernel coverage is read when the
 * suite is collected.
 */
import { beforeAll, describe, it } from 'vitest';
import { type DType, isFloatDType } from '../dtype.js';
import { engine } from '../engine.js';
import { kernelsFor } from '../kernel-registry.js';
import { shapeStr } from '../shape.js';
import { CONFORMANCE_CASES, type ConformanceCase } from './conformance-cases.js';
import { expectClose } from './expect-close.js';
import { toTensor } from './from-nd.js';
import { gradCheck } from './grad-check.js';
import { expectNoLeaks } from './leaks.js';
import { type Nd } from './nd.js';
import { Rng, roundTo } from './random-array.js';
import { GRAD_TOLERANCE, type Tolerance, toleranceFor } from './tolerances.js';

export interface ConformanceOptions {
  /** Run cases whose kernels are missing through the CPU fallback (labelled) instead of skipping them. */
  runFallbacks?: boolean;
  /** Cases to skip on this backend, by exact name, with the reason (reported in the test name). */
  skip?: Readonly<Record<string, string>>;
  /**
   * Loosens tolerances on this backend; return undefined to keep the case's own. Say why in a
   * comment where you pass it (e.g. "WebGPU f16 accumulation").
   */
  tolerance?: (c: ConformanceCase, kind: 'forward' | 'backward') => Tolerance | undefined;
  /** Seed of the inputs (default 0). */
  seed?: number;
  /** Only the cases whose name starts with one of these op names. */
  only?: readonly string[];
}

/** Registers the conformance suite for `backendName`. */
export function describeOpConformance(backendName: string, opts: ConformanceOptions = {}): void {
  describe(`op conformance on ${backendName}`, () => {
    let unavailable: string | null = null;
    beforeAll(async () => {
      try {
        await engine.initBackend(backendName);
      } catch (e) {
        unavailable = e instanceof Error ? e.message : String(e);
      }
    });
    const have = new Set(kernelsFor(backendName));
    const selected = CONFORMANCE_CASES.filter((c) => !opts.only || opts.only.some((op) => c.name.startsWith(`${op}:`)));
    selected.forEach((c, index) => {
      const missing = c.kernels.filter((k) => !have.has(k));
      const skipReason = opts.skip?.[c.name];
      let label = c.name;
      if (skipReason) {
        it.skip(`${c.name}: skipped on ${backendName} (${skipReason})`, () => {});
        return;
      }
      if (missing.length) {
        const what = `no ${backendName} kernel for ${missing.join(', ')}`;
        if (!opts.runFallbacks) {
          it.skip(`${c.name}: ${what} (falls back to cpu)`, () => {});
          return;
        }
        label = `${c.name} [${what}: via cpu fallback]`;
      }
      const seed = (opts.seed ?? 0) * 7919 + index;
      it(`${label} · forward`, async (ctx) => {
        if (unavailable) ctx.skip(`backend ${backendName} unavailable: ${unavailable}`);
        await expectNoLeaks(() => checkForward(c, backendName, seed, opts.tolerance?.(c, 'forward')), c.name);
      });
      if (c.wrt) {
        it(`${label} · backward`, async (ctx) => {
          if (unavailable) ctx.skip(`backend ${backendName} unavailable: ${unavailable}`);
          const tol = opts.tolerance?.(c, 'backward') ?? c.gradTol ?? GRAD_TOLERANCE;
          await expectNoLeaks(
            () => gradCheck(c.run, c.ref, c.inputs(new Rng(seed)), { wrt: c.wrt, backend: backendName, ...tol, label: c.name }),
            c.name,
          );
        });
      }
    });
  });
}

/** Runs one case forward on a backend and compares with the reference rounded to the output dtype. */
export async function checkForward(c: ConformanceCase, backend: string, seed: number, tol?: Tolerance): Promise<void> {
  const inputs = c.inputs(new Rng(seed));
  const expected = roundToDType(c.ref(...inputs), c.outDType ?? 'f32');
  const xs = inputs.map((x) => toTensor(x, { backend }));
  try {
    const out = engine.tidy(() => c.run(...xs));
    try {
      if (out.backend !== backend) throw new Error(`${c.name}: output lives on ${out.backend}, not ${backend}`);
      if (out.dtype !== (c.outDType ?? 'f32')) throw new Error(`${c.name}: output dtype ${out.dtype}, expected ${c.outDType ?? 'f32'}`);
      if (shapeStr(out.shape) !== shapeStr(expected.shape)) {
        throw new Error(`${c.name}: output shape ${shapeStr(out.shape)}, reference ${shapeStr(expected.shape)}`);
      }
      const t = tol ?? c.tol ?? toleranceFor(out.dtype);
      expectClose(await out.data(), expected.data, { ...t, label: c.name });
    } finally {
      out.dispose();
    }
  } finally {
    for (const x of xs) x.dispose();
  }
}

function roundToDType(x: Nd, dtype: DType): Nd {
  if (!isFloatDType(dtype)) return x;
  return { shape: x.shape, data: x.data.map((v) => roundTo(v, dtype)) };
}
