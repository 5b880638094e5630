/**
 * Writes the README's example image, examples/shapes.png: held-out scene 65 of the shapes world's
 * eval split (seed 0 — the split the built-in model's recipe holds out, never trained on), a red
 * diamond; "What color is the diamond?" → "red". It was picked among held-out scenes the built-in
 * model answers correctly; the model's accuracy over all held-out questions is in
 * models/eve-shapes-tiny/README.md. Prints the scene's questions and answers.
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/make-example.ts [seed] [index] [out]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng } from '@evejs/image';
import { shapesSample } from '@evejs/datasets';

const seed = Number(process.argv[2] ?? 0);
const index = Number(process.argv[3] ?? 65);
const out = process.argv[4] ?? 'examples/shapes.png';
const s = shapesSample(seed, 'eval', index);
mkdirSync(path.dirname(out), { recursive: true });
const { rgb, width, height } = s.rendered;
writeFileSync(out, await encodePng({ data: rgb, width, height, channels: 3 }));
console.log(JSON.stringify({ seed, index, width, height, qa: s.qa }, null, 1));
