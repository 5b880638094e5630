/**
 * Dumps the training samples of the golden runs (the tiny dataset of packages/trainer/test,
 * built by @evejs/trainer's SampleBuilder: ids, labels, model pixels, teacher pixels) to JSON for
 * train_reference.py, so the PyTorch reference trains on exactly the same inputs.
 * Usage: node --conditions=@evejs/source --import tsx packages/trainer/test/dump-golden-samples.ts <out.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerCpuBackend } from '@evejs/tensor';
import { loadTokenizer } from '@evejs/tokenizer';
import { decodeImage, parseProcessorConfig, preprocessTeacherImage } from '@evejs/image';
import { loadTrainingModel, readRecords, SampleBuilder, STAGE_PRESETS, type StageName } from '../src/index.js';
import { writeTinyDataset } from './tiny-dataset.js';

registerCpuBackend();
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../../model/test/fixtures/tiny-eve');
const settings = JSON.parse(readFileSync(path.resolve(here, '../../../tools/trainer-fixtures/golden-settings.json'), 'utf8')) as {
  samples: number;
  stages: Record<StageName, { data: 'captions' | 'conversations'; maxLength: number }>;
};
const ds = await writeTinyDataset(mkdtempSync(path.join(tmpdir(), 'eve-golden-')), settings.samples);
const tm = await loadTrainingModel(fixture, { teacher: 'clip' });
const tokenizer = await loadTokenizer(fixture);
const processor = parseProcessorConfig(tm.processor.raw);
const out: Record<string, unknown> = {};
for (const [stage, st] of Object.entries(settings.stages) as [StageName, (typeof settings.stages)[StageName]][]) {
  const builder = new SampleBuilder({ tokenizer, processor, template: STAGE_PRESETS[stage].template, maxLength: st.maxLength, teacher: { kind: 'none' } });
  const records = await readRecords(st.data === 'captions' ? ds.captions : ds.conversations, ds.images);
  const samples = [];
  for (const r of records) {
    const s = await builder.build(r);
    const pixels = Array.from((await s.image.pixels.data()) as Float32Array);
    const teacher = r.imagePath ? preprocessTeacherImage(await decodeImage(r.imagePath), processor) : null;
    samples.push({ ids: s.inputIds, labels: s.labels, pixels_shape: s.image.pixels.shape, pixels, teacher_shape: teacher?.shape ?? null, teacher: teacher ? Array.from(teacher.data) : null });
    s.image.pixels.dispose();
  }
  out[stage] = samples;
}
writeFileSync(process.argv[2] ?? 'samples.json', JSON.stringify(out));
