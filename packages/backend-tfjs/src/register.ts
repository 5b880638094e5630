/**
 * Registering the tfjs backend with the evejs engine: kernels now, the backend itself lazily
 * (tfjs starts asynchronously, on first `setBackend`/`initBackend`).
 */
import { engine } from '@evejs/tensor/backend';
import { registerTfjsKernels } from './kernels/register.js';
import { TfjsBackend } from './tfjs-backend.js';
import { loadTfjs, type TfjsFlavor, type TfjsLoadOptions } from './tfjs-loader.js';

export interface RegisterTfjsOptions extends TfjsLoadOptions {
  /** The evejs backend name (default 'tfjs'). */
  name?: string;
}

const registered = new Set<string>();

/**
 * Registers the 'tfjs' backend: tfjs-node-gpu or tfjs-node when installed, otherwise wasm, otherwise
 * tfjs's cpu backend (or exactly `flavor`). Idempotent per name.
 * @example registerTfjsBackend(); await setBackend('tfjs');
 */
export function registerTfjsBackend(opts: RegisterTfjsOptions = {}): void {
  const name = opts.name ?? 'tfjs';
  if (registered.has(name)) return;
  registered.add(name);
  registerTfjsKernels(name);
  engine.registerBackend(name, async () => new TfjsBackend(name, await loadTfjs(opts)));
}

export interface TfjsProbe {
  /** True when some tfjs backend starts. */
  isAvailable: boolean;
  /** The flavor that would be used. */
  flavor?: TfjsFlavor;
  device?: string;
  /** Why faster flavors (or all of them) cannot start. */
  reason: string;
}

/** Says whether (and on what) the tfjs backend can start, without registering it. */
export async function probeTfjs(opts: TfjsLoadOptions = {}): Promise<TfjsProbe> {
  try {
    const t = await loadTfjs(opts);
    return { isAvailable: true, flavor: t.flavor, device: t.device, reason: t.reason };
  } catch (e) {
    return { isAvailable: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
