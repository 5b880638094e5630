// `eve env`: which backends this machine can run, with their devices, or why one cannot start.
import type { Command } from 'commander';
import { engine } from '@evejs/tensor';
import { registerBackends } from '../backends.js';

export function registerEnvCommand(program: Command): void {
  program
    .command('env')
    .description('list the compute backends found on this machine and their devices')
    .option('--json', 'print machine-readable JSON')
    .action(async (opts: { json?: boolean }) => {
      registerBackends();
      const rows: { backend: string; ok: boolean; device: string; details?: Record<string, unknown> }[] = [];
      for (const name of engine.registeredBackends()) {
        try {
          const info = (await engine.initBackend(name)).info();
          rows.push({ backend: name, ok: true, device: info.device, ...(info.details ? { details: info.details } : {}) });
        } catch (err) {
          rows.push({ backend: name, ok: false, device: `unavailable: ${(err as Error).message}` });
        }
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        process.stdout.write(`${r.ok ? '✓' : '✗'} ${r.backend.padEnd(8)} ${r.device}\n`);
        for (const [k, v] of Object.entries(r.details ?? {})) process.stdout.write(`    ${k}: ${String(v)}\n`);
      }
    });
}
