/**
 * What a shapes-recipe checkpoint "sees": it captions held-out scenes with the pre-training
 * (plain) template — `<image>` and nothing else, as in stages 1–2 — and the captions are parsed
 * back into objects and compared with the scenes. Where the question answering after fine-tuning
 * fails, this separates "the model cannot see it" (the caption is wrong too) from "it cannot
 * answer about what it sees".
 *
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/caption-accuracy.ts \
 *          <checkpoint (pretrain or later)> <recipe data dir> [scenes=100]
 * The checkpoint folder needs the tokenizer files (copy them from models/eve-shapes-tiny).
 */
import { COLOURS, SHAPES, positionOf } from '@evejs/datasets';
import { loadEveRuntime } from '@evejs/model/runtime';
import { registerCpuBackend } from '@evejs/tensor';
import { greedyReply, recipeImage } from './greedy-reply.js';
import { heldOutScenes } from './scenes.js';

const [checkpoint, dataDir, n = '100'] = process.argv.slice(2);
if (!checkpoint || !dataDir) throw new Error('usage: caption-accuracy.ts <checkpoint> <data dir> [scenes]');
registerCpuBackend();
const runtime = await loadEveRuntime(checkpoint, { backend: 'cpu', convMode: 'plain' });
const scenes = await heldOutScenes(dataDir, Number(n));

const OBJECT = new RegExp(`(small|large) (${COLOURS.map((c) => c.name).join('|')}) (${SHAPES.join('|')}) at the ([a-z ]+?)(?=,| and |\\.|$)`, 'g');
const tally = { scenes: 0, count: 0, word: 0, words: 0, predicted: 0, colour: 0, shape: 0, pair: 0, pairPosition: 0 };
for (const { image, scene } of scenes) {
  const text = await greedyReply(runtime, runtime.encodePrompt('<image>'), await recipeImage(runtime, dataDir, image), 120, '\n');
  const objects = [...text.matchAll(OBJECT)].map((m) => ({ colour: m[2]!, shape: m[3]!, position: m[4]! }));
  const truth = scene.objects.map((o) => ({ colour: COLOURS[o.colour]!.name, shape: o.shape as string, position: positionOf(scene, o.cx, o.cy) as string }));
  tally.scenes++;
  const count = /shows (\d) objects/.exec(text)?.[1] ?? (objects.length === 1 ? '1' : '?');
  if (Number(count) === truth.length) tally.count++;
  if (scene.word) {
    tally.words++;
    if (text.includes(`"${scene.word.text}"`)) tally.word++;
  }
  for (const p of objects) {
    tally.predicted++;
    if (truth.some((t) => t.colour === p.colour)) tally.colour++;
    if (truth.some((t) => t.shape === p.shape)) tally.shape++;
    const same = truth.filter((t) => t.colour === p.colour && t.shape === p.shape);
    if (same.length > 0) {
      tally.pair++;
      if (same.some((t) => t.position === p.position)) tally.pairPosition++;
    }
  }
  if (tally.scenes <= 5) process.stderr.write(`${image}: ${text.trim()}\n  truth: ${JSON.stringify(truth)} word ${scene.word?.text ?? '-'}\n`);
}
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);
console.log(
  JSON.stringify(
    {
      scenes: tally.scenes,
      'object count right': pct(tally.count, tally.scenes),
      'word read right': pct(tally.word, tally.words),
      'objects named': tally.predicted,
      'named colour is in the scene': pct(tally.colour, tally.predicted),
      'named shape is in the scene': pct(tally.shape, tally.predicted),
      'named colour+shape is in the scene': pct(tally.pair, tally.predicted),
      'and at the named position': pct(tally.pairPosition, tally.pair),
    },
    null,
    1,
  ),
);
runtime.dispose();
