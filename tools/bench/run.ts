/**
 * `pnpm bench [filter…]`: runs every package's benchmarks, `packages/<name>/bench/*.bench.ts`, one
 * after another, each in its own Node process (from TypeScript sources, with the V8 flags of
 * `pnpm eve`) so one bench's workers, heap and JIT state do not colour the next. A filter keeps the files whose
 * path contains it (`pnpm bench matmul`). Exits non-zero if any bench failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const filters = process.argv.slice(2);

const files: string[] = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.bench.ts')) files.push(join(dir, f));
}
// The tensor kernels first: they are what everything else runs on.
files.sort((a, b) => Number(!a.includes('/tensor/')) - Number(!b.includes('/tensor/')));
const selected = files.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));

let failed = 0;
for (const file of selected) {
  const name = relative(root, file);
  console.log(`\n## ${name}\n`);
  const t0 = performance.now();
  // --single-threaded-gc as in `pnpm eve` (root package.json): V8's GC threads otherwise take the matmul worker's core.
  const res = spawnSync(process.execPath, ['--single-threaded-gc', '--conditions=@evejs/source', '--import', 'tsx', file], { cwd: root, stdio: 'inherit' });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (res.status !== 0) {
    failed++;
    console.log(`\n${name}: FAILED (exit ${res.status ?? res.signal}) after ${seconds} s`);
  } else {
    console.log(`\n${name}: done in ${seconds} s`);
  }
}
console.log(`\n${selected.length - failed} benches passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
