/**
 * The backends the CLI knows, registered lazily: a backend package is imported only when that
 * backend is asked for, so a missing optional dependency only matters to the user who picks it.
 * The choice comes from `--backend` or the EVE_BACKEND variable; cpu is the default.
 */
import { BackendError, engine, registerCpuBackend } from '@evejs/tensor';

export const BACKEND_NAMES = ['cpu', 'webgpu', 'gpujs', 'tfjs'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Imports a GPU backend package and registers its kernels and device factory. */
const LOADERS: Record<Exclude<BackendName, 'cpu'>, () => Promise<void>> = {
  webgpu: async () => (await import('@evejs/backend-webgpu')).registerWebGpuBackend(),
  gpujs: async () => (await import('@evejs/backend-gpujs')).registerGpujsBackend(),
  tfjs: async () => (await import('@evejs/backend-tfjs')).registerTfjsBackend(),
};

let registered = false;

/** Registers every backend the CLI can offer (idempotent; GPU packages load on first use). */
export function registerBackends(): void {
  if (registered) return;
  registered = true;
  registerCpuBackend();
  for (const [name, load] of Object.entries(LOADERS)) {
    engine.registerBackend(name, async () => {
      await load(); // the package replaces this factory with its own
      return engine.initBackend(name);
    });
  }
}

/** Picks and initialises the backend: the flag, else EVE_BACKEND, else cpu. */
export async function selectBackend(flag?: string): Promise<BackendName> {
  registerBackends();
  const name = flag ?? process.env['EVE_BACKEND'] ?? 'cpu';
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(`unknown backend "${name}"; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  try {
    await engine.setBackend(name);
  } catch (err) {
    throw new BackendError(`the ${name} backend cannot start: ${(err as Error).message}`);
  }
  return name as BackendName;
}
