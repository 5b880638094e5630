/**
 * Finds the best TensorFlow.js backend this process can run, in order of speed:
 * tfjs-node-gpu (CUDA), tfjs-node (libtensorflow on the CPU), wasm (XNNPACK), then the pure-JS
 * cpu backend. tfjs-node(-gpu) are optional peers: they download libtensorflow when installed,
 * so they are loaded with a dynamic import and a missing one is a reason, not an error.
 *
 * This file does not register anything with the evejs engine (see register.ts).
 */
import { BackendError } from '@evejs/tensor';
import type * as TfCore from '@tensorflow/tfjs-core';

/** The tfjs API this backend uses (tfjs-core's namespace, or tfjs-node's, which re-exports it). */
export type Tf = typeof TfCore;

/** Which tfjs backend runs the kernels. */
export type TfjsFlavor = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface TfjsLoadOptions {
  /**
   * Use this tfjs backend (or fail saying why), instead of the first that starts among
   * tensorflow-gpu, tensorflow, wasm, cpu.
   */
  flavor?: TfjsFlavor;
  /** Where the wasm binaries are served from (browsers). In Node the package's dist folder is used. */
  wasmPath?: string;
}

export interface LoadedTfjs {
  tf: Tf;
  flavor: TfjsFlavor;
  /** Human-readable: "wasm (SIMD, 1 thread)". */
  device: string;
  /** Why faster flavors were not used ("tfjs-node-gpu not installed; …"). */
  reason: string;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Imports a module that may be absent without TypeScript resolving it at build time. */
async function optionalImport(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

function errorLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 160);
}

function isMissingModule(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(errorLine(e));
}

async function tryNode(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', flavor: TfjsFlavor): Promise<LoadedTfjs | string> {
  if (!isNode) return `${pkg} needs Node`;
  try {
    const mod = (await optionalImport(pkg)) as Partial<Tf> & { default?: Tf };
    const tf = (mod.setBackend ? mod : mod.default) as Tf;
    if (!(await tf.setBackend('tensorflow'))) return `${pkg} is installed but its backend did not start`;
    await tf.ready();
    const device = flavor === 'tensorflow-gpu' ? 'tensorflow (libtensorflow, CUDA)' : 'tensorflow (libtensorflow, CPU)';
    return { tf, flavor, device, reason: '' };
  } catch (e) {
    return isMissingModule(e) ? `${pkg} not installed` : `${pkg} failed to load: ${errorLine(e)}`;
  }
}

async function tryWasm(opts: TfjsLoadOptions): Promise<LoadedTfjs | string> {
  try {
    const tf = (await import('@tensorflow/tfjs-core')) as Tf;
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    let path = opts.wasmPath;
    if (!path && isNode) {
      // The Node build fetches the .wasm files relative to a prefix; point it at the package's dist.
      const { createRequire } = await import('node:module');
      const { dirname } = await import('node:path');
      path = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`;
    }
    if (path) wasm.setWasmPaths(path);
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend did not start';
    await tf.ready();
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? wasm.getThreadsCount() : 1;
    const device = `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`;
    return { tf, flavor: 'wasm', device, reason: '' };
  } catch (e) {
    return `wasm failed to start: ${errorLine(e)}`;
  }
}

async function tryCpu(): Promise<LoadedTfjs | string> {
  try {
    const tf = (await import('@tensorflow/tfjs-core')) as Tf;
    await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend('cpu'))) return 'the cpu backend did not start';
    await tf.ready();
    return { tf, flavor: 'cpu', device: 'cpu (plain JavaScript)', reason: '' };
  } catch (e) {
    return `cpu failed to start: ${errorLine(e)}`;
  }
}

const attempts: Record<TfjsFlavor, (o: TfjsLoadOptions) => Promise<LoadedTfjs | string>> = {
  'tensorflow-gpu': () => tryNode('@tensorflow/tfjs-node-gpu', 'tensorflow-gpu'),
  tensorflow: () => tryNode('@tensorflow/tfjs-node', 'tensorflow'),
  wasm: tryWasm,
  cpu: tryCpu,
};

/** Starts tfjs on the requested (or best available) backend; throws with every reason if none starts. */
export async function loadTfjs(opts: TfjsLoadOptions = {}): Promise<LoadedTfjs> {
  const order: TfjsFlavor[] = opts.flavor ? [opts.flavor] : ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
  const reasons: string[] = [];
  for (const flavor of order) {
    const r = await attempts[flavor](opts);
    if (typeof r !== 'string') return { ...r, reason: reasons.join('; ') || (opts.flavor ? `requested ${opts.flavor}` : 'fastest available') };
    reasons.push(r);
  }
  throw new BackendError(`tfjs cannot start: ${reasons.join('; ')}`);
}
