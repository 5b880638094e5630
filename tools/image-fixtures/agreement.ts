/**
 * Measures how closely @evejs/image matches Pillow (Debian python3-pil 9.4 via /usr/bin/python3)
 * on many seeded random cases, and prints the share of identical bytes and the largest
 * difference. Not a test (CI has no PIL); the numbers go into packages/image/README.md.
 *
 *   node --conditions=@evejs/source --import tsx tools/image-fixtures/agreement.ts [cases]
 *
 * Part 1: resizeBicubic vs Image.resize on random L/RGB content and random sizes (up, down, odd,
 * extreme ratios). Part 2: the full decode + resize to EVE's needhw, from JPEGs (random quality
 * and chroma subsampling) and PNGs, vs Image.open(f).convert('RGB').resize(needhw).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// tools/ is not a workspace package: import the package source directly.
import { anypixelGeometry, decodeImage, loadBuiltinProcessorConfig, resizeBicubic } from '../../packages/image/src/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'evejs-agreement-'));
const py = (...args: string[]) => execFileSync('/usr/bin/python3', args);
const n = Number(process.argv[2] ?? 120);
let seed = 20241124;
/** Uniform in [0, 1) from a 32-bit LCG (seeded; quality is irrelevant here). */
const uniform = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const int = (lo: number, hi: number) => lo + Math.floor(uniform() * (hi - lo + 1));

interface Tally { cases: number; bytes: number; identical: number; maxDiff: number; exactCases: number }
const tally = (): Tally => ({ cases: 0, bytes: 0, identical: 0, maxDiff: 0, exactCases: 0 });
function add(t: Tally, ref: Uint8Array, got: Uint8Array): void {
  if (ref.length !== got.length) throw new Error(`length ${got.length} ≠ ${ref.length}`);
  let same = 0;
  let max = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs((ref[i] as number) - (got[i] as number));
    if (d === 0) same++;
    else if (d > max) max = d;
  }
  t.cases++;
  t.bytes += ref.length;
  t.identical += same;
  t.maxDiff = Math.max(t.maxDiff, max);
  if (same === ref.length) t.exactCases++;
}
const report = (name: string, t: Tally) =>
  console.log(`${name}: ${t.exactCases}/${t.cases} cases identical; ${t.identical}/${t.bytes} bytes identical (${((100 * t.identical) / t.bytes).toFixed(4)} %); max difference ${t.maxDiff}`);

const resize = tally();
for (let i = 0; i < n; i++) {
  const channels = i % 4 === 0 ? 1 : 3;
  const w = int(1, i % 10 === 0 ? 2000 : 400);
  const h = i % 7 === 0 ? Math.max(1, Math.round(w / int(8, 12))) : int(1, 400); // some ~10:1
  const ow = int(1, i % 3 === 0 ? 1344 : 700);
  const oh = int(1, i % 3 === 0 ? 1344 : 700);
  const data = new Uint8Array(w * h * channels);
  for (let j = 0; j < data.length; j++) data[j] = (j / channels) % 5 < 2 ? Math.floor(uniform() * 256) : ((j * 7) >> 4) & 255;
  writeFileSync(join(dir, 'in.raw'), data);
  py(join(here, 'pil_resize.py'), 'raw', join(dir, 'in.raw'), channels === 1 ? 'L' : 'RGB', `${w}`, `${h}`, `${ow}`, `${oh}`, join(dir, 'out.raw'));
  add(resize, new Uint8Array(readFileSync(join(dir, 'out.raw'))), resizeBicubic({ data, width: w, height: h, channels }, ow, oh).data);
}
report(`resizeBicubic vs Image.resize (${n} random cases, L and RGB, 1…2000 px in, 1…1344 px out)`, resize);

const pipeline = { 672: tally(), 1344: tally() };
const configs = { 672: await loadBuiltinProcessorConfig('eve-patch14-anypixel-672'), 1344: await loadBuiltinProcessorConfig('eve-patch14-anypixel-1344') };
const m = Math.max(4, Math.floor(n / 4));
for (let i = 0; i < m; i++) {
  const w = int(16, 1600);
  const h = i % 5 === 0 ? Math.max(1, Math.round(w / 10)) : int(16, 1200);
  const file = join(dir, i % 3 === 0 ? `p${i}.png` : `p${i}.jpg`);
  py(join(here, 'make_photo.py'), `${i}`, `${w}`, `${h}`, file, `${int(60, 95)}`, `${int(0, 2)}`);
  const img = await decodeImage(file);
  for (const size of [672, 1344] as const) {
    const [nw, nh] = anypixelGeometry(w, h, configs[size]).needhw;
    py(join(here, 'pil_resize.py'), 'file', file, `${nw}`, `${nh}`, join(dir, 'out.raw'));
    add(pipeline[size], new Uint8Array(readFileSync(join(dir, 'out.raw'))), resizeBicubic(img, nw, nh).data);
  }
}
report(`decode + resize to needhw, 672 (${m} JPEG/PNG photos, 16…1600 px)`, pipeline[672]);
report(`decode + resize to needhw, 1344 (same images)`, pipeline[1344]);
