/**
 * Writes the README's example image, examples/shapes.png: held-out scene 5 of the built-in model's
 * world (the shapes world's eval split, seed 0, laid out on the 4 × 4 token cells of its 112-px
 * canvas — the split its recipe holds out, never trained on), a portrait image with a purple diamond
 * among its objects; "What color is the diamond?" → "purple". It was picked among held-out scenes the
 * built-in model answers correctly as `eve chat` asks (without the benchmark's answer-format line),
 * in f32, q8 and q4 (pick-example.ts lists them); the model's accuracy over all held-out questions is in
 * models/eve-shapes-tiny/README.md. Prints the scene's questions and answers.
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/make-example.ts [seed] [index] [out]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng } from '@evejs/image';
import { shapesSample } from '@evejs/datasets';

const seed = Number(process.argv[2] ?? 0);
const index = Number(process.argv[3] ?? 5);
const out = process.argv[4] ?? 'examples/shapes.png';
// The built-in model's world: the cell layout on its own token grid (`eve train --recipe shapes --canvas 112 --layout cells`).
const processor = JSON.parse(readFileSync('models/eve-shapes-tiny/preprocessor_config.json', 'utf8')) as { image_size_clip: number; patch_stride_clip: number };
const s = shapesSample(seed, 'eval', index, { layout: 'cells', tokenGrid: { imageSizeClip: processor.image_size_clip, patchStrideClip: processor.patch_stride_clip } });
mkdirSync(path.dirname(out), { recursive: true });
const { rgb, width, height } = s.rendered;
writeFileSync(out, await encodePng({ data: rgb, width, height, channels: 3 }));
console.log(JSON.stringify({ seed, index, width, height, qa: s.qa }, null, 1));
