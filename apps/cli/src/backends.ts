/**
 * The backends the CLI knows, registered lazily: a backend package is imported only when that
 * backend is asked for, so a missing optional dependency only matters to the user who picks it.
 * The choice comes from `--backend` or the EVE_BACKEND variable.
 */
import { engine, registerCpuBackend } from '@evejs/tensor';

export const BACKEND_NAMES = ['cpu'] as const;

/** Registers every backend the CLI can offer (idempotent). */
export function registerBackends(): void {
  registerCpuBackend();
}

/** Picks and initialises the backend: the flag, else EVE_BACKEND, else cpu. */
export async function selectBackend(flag?: string): Promise<string> {
  registerBackends();
  const name = flag ?? process.env['EVE_BACKEND'] ?? 'cpu';
  await engine.setBackend(name);
  return name;
}
