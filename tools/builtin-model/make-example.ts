/**
 * Writes the README's example image, examples/shapes.png: a held-out scene of the shapes world
 * (seed 2026, split eval — never seen in training) with exactly one (large) circle among two or three objects, so "What color is the
 * circle?" has one answer. Prints the scene's questions and answers.
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/make-example.ts [index]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { encodePng } from '@evejs/image';
import { COLOURS, caption, shapesSample } from '@evejs/datasets';

const wanted = process.argv[2] !== undefined ? Number(process.argv[2]) : undefined;
for (let i = wanted ?? 0; i < 200; i++) {
  const s = shapesSample(2026, 'eval', i);
  const circles = s.scene.objects.filter((o) => o.shape === 'circle');
  const easy = circles.length === 1 && circles[0]!.size === 'large' && s.scene.objects.length >= 2 && s.scene.objects.length <= 3 && Math.min(s.scene.width, s.scene.height) >= 140;
  if (wanted === undefined && !easy) continue;
  mkdirSync('examples', { recursive: true });
  const { rgb, width, height } = s.rendered;
  writeFileSync('examples/shapes.png', await encodePng({ data: rgb, width, height, channels: 3 }));
  console.log(JSON.stringify({ index: i, width, height, circle: circles[0] ? COLOURS[circles[0].colour]!.name : null, caption: caption(s.scene), qa: s.qa }, null, 1));
  break;
}
