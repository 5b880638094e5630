/**
 * The benchmark adapters by CLI name, in the paper's column order, plus `shapes`. An unknown name
 * is an error that lists the known ones.
 */
import { EveError } from '@evejs/tensor';
import type { Benchmark } from './benchmark.js';
import { gqa } from './benchmarks/gqa.js';
import { mmbench } from './benchmarks/mmbench.js';
import { mme } from './benchmarks/mme.js';
import { mmvet } from './benchmarks/mmvet.js';
import { pope } from './benchmarks/pope.js';
import { scienceqa } from './benchmarks/scienceqa.js';
import { seed } from './benchmarks/seed.js';
import { shapes } from './benchmarks/shapes.js';
import { textvqa } from './benchmarks/textvqa.js';
import { vizwiz } from './benchmarks/vizwiz.js';
import { vqav2 } from './benchmarks/vqav2.js';

/** Every adapter; the first ten are the paper's table columns, in order. */
export const BENCHMARKS: readonly Benchmark[] = [vqav2, gqa, vizwiz, scienceqa, textvqa, pope, mme, mmbench, seed, mmvet, shapes];

/** The adapter named `name` (case-insensitive; `sqa`, `seed-img`, `mm-vet` are accepted aliases). */
export function getBenchmark(name: string): Benchmark {
  const aliases: Record<string, string> = { sqa: 'scienceqa', 'sqa-img': 'scienceqa', 'seed-img': 'seed', 'mm-vet': 'mmvet', mmb: 'mmbench' };
  const key = aliases[name.toLowerCase()] ?? name.toLowerCase();
  const b = BENCHMARKS.find((x) => x.name === key);
  if (!b) throw new EveError(`unknown benchmark "${name}"; known: ${BENCHMARKS.map((x) => x.name).join(', ')}`);
  return b;
}
