// Writes the page's example images (public/examples/): held-out scenes of the built-in model's
// world (the shapes world's eval split, seed 0, laid out on its 112-px canvas's 4 × 4 token cells;
// never trained on) with a question the built-in model answers correctly, so a trained built-in
// model can be checked on them (test/demo-page.test.ts).
// Run: node --conditions=@evejs/source --import tsx apps/demo/scripts/make-examples.ts
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { shapesSample, SHORT_ANSWER_SUFFIX } from '@evejs/datasets';
import { encodePng } from '@evejs/image';

const OUT = fileURLToPath(new URL('../public/examples/', import.meta.url));
// The built-in model's world: the cell layout on its own token grid (`eve train --recipe shapes --canvas 112 --layout cells`).
const processor = JSON.parse(await readFile(new URL('../../../models/eve-shapes-tiny/preprocessor_config.json', import.meta.url), 'utf8')) as { image_size_clip: number; patch_stride_clip: number };
const BUILT_IN_WORLD = { layout: 'cells', tokenGrid: { imageSizeClip: processor.image_size_clip, patchStrideClip: processor.patch_stride_clip } } as const;
// A landscape colour question and a near-square reading question.
const EXAMPLES = [
  { index: 2, type: 'color' as const },
  { index: 48, type: 'reading' as const },
];

const manifest = [];
for (const { index, type } of EXAMPLES) {
  const s = shapesSample(0, 'eval', index, BUILT_IN_WORLD);
  const qa = s.qa.find((q) => q.type === type);
  if (!qa) throw new Error(`held-out scene ${index}: no ${type} question`);
  const { rgb, width, height } = s.rendered;
  const file = `shapes-eval-${index}.png`;
  await writeFile(OUT + file, await encodePng({ data: rgb, width, height, channels: 3 }));
  manifest.push({ file, width, height, question: qa.question + SHORT_ANSWER_SUFFIX, answer: qa.answer });
}
await writeFile(OUT + 'examples.json', `${JSON.stringify(manifest, null, 2)}\n`);
console.log(manifest);
