// Child process for the loader memory test: loads a checkpoint folder (argv[2]) as bf16 on the
// cpu backend and prints {baselineRss, peakRss} in bytes (peak = VmHWM from /proc/self/status).
import { readFileSync } from 'node:fs';
import { engine, registerCpuBackend } from '@evejs/tensor';
import { loadPretrained } from '../src/index.js';

function vm(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
registerCpuBackend();
await engine.initBackend('cpu');
const baselineRss = vm('VmRSS');
const { model, report } = await loadPretrained(process.argv[2]!, { backend: 'cpu', dtype: 'bf16' });
process.stdout.write(JSON.stringify({ baselineRss, peakRss: vm('VmHWM'), weightBytes: report.weightBytes }) + '\n');
model.dispose();
