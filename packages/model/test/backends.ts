// Which backends the model tests run on: cpu always; webgpu when its package and a device are
// available. An unavailable backend is skipped with the reason in the suite name, never passed.
import { engine, registerCpuBackend } from '@evejs/tensor';

export const TEST_BACKENDS = ['cpu', 'webgpu'] as const;

/** Registers and initialises `name`; resolves to null when usable, else the reason it is not. */
export async function backendUnavailable(name: (typeof TEST_BACKENDS)[number]): Promise<string | null> {
  registerCpuBackend();
  if (name === 'cpu') return null;
  try {
    const specifier = '@evejs/backend-webgpu';
    const mod = (await import(/* @vite-ignore */ specifier)) as { registerWebGpuBackend: () => void };
    if (!engine.registeredBackends().includes('webgpu')) mod.registerWebGpuBackend();
    await engine.initBackend('webgpu');
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
}
