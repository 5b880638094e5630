/**
 * Can the fine-tuning stage teach the model to look a colour named in text up among the image
 * tokens? Existence ("Is there a red circle in the image?") and position ("Where is the red
 * circle?") both need that lookup, and the tokens do carry colour (aligner-probe.ts: 98 %).
 *
 * `write` makes three SFT data files from a recipe's training images, next to a copy of its
 * scenes.jsonl (the shapes teacher reads it from there):
 * - `existence-pairs.json`: each image's existence pair (one present object → yes, one absent →
 *   no) in one conversation, as the shapes world's conversations asked it before `turns`;
 * - `existence-single.json`: one question of the pair, chosen at random: nothing to infer from text;
 * - `colour-checklist.json`: the shapes world's checklist records (`checklistRecord`, as in its
 *   `checklists.json`), "Which colors are in the image?" → "red no, green square, …" for the seven
 *   colours in a fixed order: the same lookup, with the colour word right before each answer;
 * - `colour-positions.json`: "Where is each color?" → "red no, green top left, blue center and
 *   bottom, …": the checklist with the positions (in grid order) in place of "yes", so the one-
 *   step lookup also reads out where the colour is, as position questions need.
 * Train on one with `eve train --stage sft --teacher shapes --data <file> --image-folder <recipe
 * data>/images ...`, then score existence with `eve eval run --benchmark shapes` and the checklist
 * with `score`, which generates it for held-out scenes and compares each colour's entry with the
 * scene (`score-positions` does the same for the positions checklist).
 *
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/colour-lookup.ts \
 *          write <recipe data dir> <out dir>
 *        node ... colour-lookup.ts score|score-positions <checkpoint> <recipe data dir> [scenes=100]
 * The checkpoint folder needs the tokenizer files (copy them from models/eve-shapes-tiny).
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checklistRecord, COLOUR_CHECKLIST_QUESTION, colourChecklist, COLOURS, type LlavaRecord, POSITIONS, positionOf, type Scene, SHORT_ANSWER_SUFFIX, shapesSample } from '@evejs/datasets';
import { loadEveRuntime } from '@evejs/model/runtime';
import { registerCpuBackend, Rng } from '@evejs/tensor';
import { renderPrompt } from '@evejs/tokenizer';
import { greedyReply, recipeImage } from './greedy-reply.js';
import { heldOutScenes, readSceneRows } from './scenes.js';

interface Checklist {
  question: string;
  /** Every colour, in COLOURS order, with what the scene says about it. */
  answer(scene: Scene): string;
}

/** "red no, green square, …": each colour with the shapes of its objects, or "no" (the shapes world's checklist). */
const PRESENCE: Checklist = { question: COLOUR_CHECKLIST_QUESTION, answer: colourChecklist };

/** "red no, green top left, blue center and bottom, …": where each colour is, "no" where absent. */
const WHERE: Checklist = {
  question: 'Where is each color?',
  answer: (scene) =>
    COLOURS.map((c, i) => {
      const at = POSITIONS.filter((p) => scene.objects.some((o) => o.colour === i && positionOf(scene, o.cx, o.cy) === p));
      return `${c.name} ${at.length ? at.join(' and ') : 'no'}`;
    }).join(', '),
};

function record(id: string, image: string, turns: { question: string; answer: string }[]): LlavaRecord {
  return {
    id,
    image,
    conversations: turns.flatMap((t, i) => [
      { from: 'human' as const, value: i === 0 ? `<image>\n${t.question}` : t.question },
      { from: 'gpt' as const, value: t.answer },
    ]),
  };
}

async function write(dataDir: string, outDir: string): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(dataDir, 'dataset.json'), 'utf8')) as { seed: number; options?: object };
  const rows = (await readSceneRows(dataDir)).filter((r) => r.split === 'train');
  const rng = new Rng(1);
  const pairs: LlavaRecord[] = [];
  const single: LlavaRecord[] = [];
  const checklists: LlavaRecord[] = [];
  const positions: LlavaRecord[] = [];
  for (const [i, r] of rows.entries()) {
    const s = shapesSample(manifest.seed, 'train', i, manifest.options ?? {});
    if (s.image !== r.image) throw new Error(`${r.image}: scenes.jsonl is not seed ${manifest.seed}'s training split in order`);
    // With the short-answer suffix where the old conversations had it (every other turn).
    const pair = s.qa.flatMap((q, k) => (q.type === 'existence' ? [{ question: k % 2 === 0 ? q.question : q.question + SHORT_ANSWER_SUFFIX, answer: q.answer }] : []));
    pairs.push(record(s.id, s.image, pair));
    single.push(record(s.id, s.image, [pair[rng.int(pair.length)]!]));
    checklists.push(checklistRecord(s));
    positions.push(record(s.id, s.image, [{ question: WHERE.question, answer: WHERE.answer(s.scene) }]));
  }
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'existence-pairs.json'), JSON.stringify(pairs));
  await writeFile(path.join(outDir, 'existence-single.json'), JSON.stringify(single));
  await writeFile(path.join(outDir, 'colour-checklist.json'), JSON.stringify(checklists));
  await writeFile(path.join(outDir, 'colour-positions.json'), JSON.stringify(positions));
  await copyFile(path.join(dataDir, 'scenes.jsonl'), path.join(outDir, 'scenes.jsonl'));
  console.log(`${rows.length} records each in ${outDir}`);
}

/** Each colour's entry ("red no", "green top left and center") of a checklist answer, by colour. */
function entries(text: string): Map<string, string> {
  const names = COLOURS.map((c) => c.name).join('|');
  return new Map([...text.matchAll(new RegExp(`\\b(${names}) (.*?)(?=, (?:${names}) |$)`, 'g'))].map((m) => [m[1]!, m[2]!.trim()]));
}

async function score(list: Checklist, checkpoint: string, dataDir: string, n: number): Promise<void> {
  registerCpuBackend();
  const runtime = await loadEveRuntime(checkpoint, { backend: 'cpu', convMode: 'vicuna_v1' });
  const { template } = runtime;
  const [user, assistant] = template.roles;
  const ids = runtime.encodePrompt(renderPrompt(template, [{ role: user, text: `<image>\n${list.question}` }, { role: assistant, text: null }]));
  const tally = { entries: 0, answered: 0, right: 0, absent: 0 };
  for (const { image, scene } of await heldOutScenes(dataDir, n)) {
    const text = await greedyReply(runtime, ids, await recipeImage(runtime, dataDir, image), 60, template.sep2 ?? '</s>');
    const truth = list.answer(scene);
    const saidBy = entries(text.trim());
    for (const [colour, present] of entries(truth)) {
      const said = saidBy.get(colour);
      tally.entries++;
      if (present === 'no') tally.absent++;
      if (said !== undefined) tally.answered++;
      if (said === present) tally.right++;
    }
    if (tally.entries <= 3 * COLOURS.length) process.stderr.write(`${image}: ${text.trim()}\n  truth: ${truth}\n`);
  }
  const pct = (a: number) => `${((100 * a) / tally.entries).toFixed(1)} %`;
  console.log(JSON.stringify({ scenes: tally.entries / COLOURS.length, right: pct(tally.right), answered: pct(tally.answered), 'always "no"': pct(tally.absent) }, null, 1));
  runtime.dispose();
}

const [command, a, b, c] = process.argv.slice(2);
if (command === 'write' && a && b) await write(a, b);
else if (command === 'score' && a && b) await score(PRESENCE, a, b, Number(c ?? 100));
else if (command === 'score-positions' && a && b) await score(WHERE, a, b, Number(c ?? 100));
else throw new Error('usage: colour-lookup.ts write <recipe data dir> <out dir> | score|score-positions <checkpoint> <recipe data dir> [scenes]');
