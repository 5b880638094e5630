// Writes the page's example images (public/examples/): shapes-world scenes with a question whose
// answer is known, so a trained built-in model can be checked on them (test/demo-page.test.ts).
// Run: node --conditions=@evejs/source --import tsx apps/demo/scripts/make-examples.ts
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateScene, questionsOfType, renderScene, SHORT_ANSWER_SUFFIX } from '@evejs/datasets';
import { encodePng } from '@evejs/image';
import { Rng } from '@evejs/tensor';

const OUT = fileURLToPath(new URL('../public/examples/', import.meta.url));
// Seeds picked for variety: a landscape and a portrait scene.
const EXAMPLES = [
  { seed: 11, type: 'count' as const },
  { seed: 5, type: 'color' as const },
];

const manifest = [];
for (const { seed, type } of EXAMPLES) {
  const rng = new Rng(seed);
  const scene = generateScene(rng, { minObjects: 2, maxObjects: 4 });
  const img = renderScene(scene);
  const qa = questionsOfType(scene, type, rng)[0];
  if (!qa) throw new Error(`seed ${seed}: no ${type} question`);
  const file = `shapes-${seed}.png`;
  await writeFile(OUT + file, await encodePng({ data: img.rgb, width: img.width, height: img.height, channels: 3 }));
  manifest.push({ file, width: img.width, height: img.height, question: qa.question + SHORT_ANSWER_SUFFIX, answer: qa.answer });
}
await writeFile(OUT + 'examples.json', `${JSON.stringify(manifest, null, 2)}\n`);
console.log(manifest);
