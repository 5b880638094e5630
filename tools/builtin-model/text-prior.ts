/**
 * The text-only prior of a shapes recipe's data, the model-free baseline in the built-in model's
 * README: each held-out question is answered with the answer most often given to the same question
 * text in the training conversations (the first such answer on a tie; no answer for a text never
 * asked in training), and scored by exact match, per question type.
 *
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/text-prior.ts <recipe data dir>
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type LlavaRecord, SHORT_ANSWER_SUFFIX, type ShapesQuestion } from '@evejs/datasets';
import { readJsonLines } from './scenes.js';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: text-prior.ts <recipe data dir>');
const conversations = JSON.parse(await readFile(path.join(dataDir, 'conversations.json'), 'utf8')) as LlavaRecord[];
const answers = new Map<string, Map<string, number>>();
for (const { conversations: turns } of conversations) {
  for (let i = 0; i + 1 < turns.length; i += 2) {
    const question = turns[i]!.value.replace('<image>\n', '').replace(SHORT_ANSWER_SUFFIX, '');
    const counts = answers.get(question) ?? new Map<string, number>();
    counts.set(turns[i + 1]!.value, (counts.get(turns[i + 1]!.value) ?? 0) + 1);
    answers.set(question, counts);
  }
}
const questions = await readJsonLines<ShapesQuestion>(path.join(dataDir, 'questions.jsonl'));
const tally = new Map<string, { right: number; total: number }>();
for (const q of questions) {
  let best: string | undefined;
  let bestCount = 0;
  for (const [answer, count] of answers.get(q.text) ?? []) {
    if (count > bestCount) [best, bestCount] = [answer, count];
  }
  for (const key of [q.type, 'all']) {
    const t = tally.get(key) ?? { right: 0, total: 0 };
    t.total++;
    if (best === q.answer) t.right++;
    tally.set(key, t);
  }
}
console.log(JSON.stringify(Object.fromEntries([...tally].map(([k, t]) => [k, Number(((100 * t.right) / t.total).toFixed(1))]))));
