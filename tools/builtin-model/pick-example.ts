/**
 * Which held-out questions does a checkpoint answer correctly as `eve chat` asks them (the bare
 * question, without the benchmark's answer-format line) in every weight format a user may load it
 * in? The README's example (examples/shapes.png, make-example.ts) and the demo's examples
 * (apps/demo/scripts/make-examples.ts) are picked among them, so the bundled question is one the
 * built-in model really gets right; the model's accuracy over all held-out questions is measured
 * by `eve eval run --benchmark shapes`, not by these picks.
 *
 * Prints one line per question right in all formats: scene index, image size, type, question, answer.
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/pick-example.ts \
 *          <checkpoint> <recipe data dir> [types=color,shape,reading] [formats=f32,q8_0,q4_0] [--suffix]
 * `--suffix` asks with the benchmark's answer-format line, as the demo's examples do.
 */
import path from 'node:path';
import { type ShapesQuestion, SHORT_ANSWER_SUFFIX } from '@evejs/datasets';
import { loadEveRuntime } from '@evejs/model/runtime';
import type { WeightDType } from '@evejs/model';
import { EveError, registerCpuBackend } from '@evejs/tensor';
import { renderPrompt } from '@evejs/tokenizer';
import { greedyReply, recipeImage } from './greedy-reply.js';
import { readJsonLines } from './scenes.js';

const args = process.argv.slice(2).filter((a) => a !== '--suffix');
const withSuffix = process.argv.includes('--suffix');
const [checkpoint, dataDir, typeList = 'color,shape,reading', formatList = 'f32,q8_0,q4_0'] = args;
if (!checkpoint || !dataDir) throw new EveError('usage: pick-example.ts <checkpoint> <recipe data dir> [types] [formats] [--suffix]');
const types = new Set(typeList.split(','));
const questions = (await readJsonLines<ShapesQuestion>(path.join(dataDir, 'questions.jsonl'))).filter((q) => types.has(q.type));

registerCpuBackend();
/** Question id → still right in every format tried so far. */
let right = new Set(questions.map((q) => q.question_id));
const sizes = new Map<string, string>();
for (const format of formatList.split(',')) {
  if (!['f32', 'f16', 'bf16', 'q8_0', 'q4_0'].includes(format)) throw new EveError(`unknown weight format ${format} (f32, f16, bf16, q8_0, q4_0)`);
  const runtime = await loadEveRuntime(checkpoint, { backend: 'cpu', dtype: format as WeightDType });
  const { template } = runtime;
  const [user, assistant] = template.roles;
  const stop = template.sep2 ?? '</s>';
  const stillRight = new Set<string>();
  for (const q of questions.filter((x) => right.has(x.question_id))) {
    const text = `<image>\n${q.text}${withSuffix ? SHORT_ANSWER_SUFFIX : ''}`;
    const ids = runtime.encodePrompt(renderPrompt(template, [{ role: user, text }, { role: assistant, text: null }]));
    const img = await recipeImage(runtime, dataDir, q.image);
    sizes.set(q.image, `${img.width}x${img.height}`);
    const reply = await greedyReply(runtime, ids, img, 16, stop);
    // `eve chat` prints the reply trimmed; the README and tests compare it exactly.
    if (reply.trim() === q.answer) stillRight.add(q.question_id);
  }
  runtime.dispose();
  process.stderr.write(`${format}: ${stillRight.size} of ${right.size} still right\n`);
  right = stillRight;
}
for (const q of questions.filter((x) => right.has(x.question_id))) {
  const index = Number(/(\d+)\.png$/.exec(q.image)?.[1]);
  console.log(`${index}\t${sizes.get(q.image)}\t${q.type}\t${q.text}\t${q.answer}`);
}
