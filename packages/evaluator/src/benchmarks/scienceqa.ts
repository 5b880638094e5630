/**
 * ScienceQA-IMG test (EVE-SPEC §9.2, §9.7). Questions come from the release's LLaVA-format
 * `eve_test_CQM-A.json` (first human turn, `<image>` removed) plus the option-letter suffix; the
 * recorded prompt keeps `<image>\n` in front for questions with an image, which is how the
 * release's `eval_science_qa.py` tells the IMG subset apart. Scoring reads the official
 * `problems.json` and `pid_splits.json`.
 */
import path from 'node:path';
import { FormatError } from '@evejs/tensor';
import type { Benchmark, EvalQuestion } from '../benchmark.js';
import { OPTION_LETTER_SUFFIX, findFile, percent } from '../benchmark.js';
import { readJson } from '../jsonl.js';

const OPTIONS = ['A', 'B', 'C', 'D', 'E'];

interface SqaRecord {
  id: string;
  image?: string;
  conversations: { from: string; value: string }[];
}

interface SqaProblem {
  answer: number;
  choices: string[];
  image: string | null;
}

/** The release's letter parsing: the letter, or "FAILED". */
export function scienceqaParseAnswer(text: string): string {
  if (OPTIONS.includes(text)) return text;
  if (text.length >= 3 && OPTIONS.includes(text[0]!) && text.slice(1, 3) === '. ') return text[0]!;
  // Python's `.` is any character but "\n".
  const found = [...text.matchAll(/The answer is ([A-Z])[^\n]/g)];
  return found.length === 1 ? found[0]![1]! : 'FAILED';
}

export const scienceqa: Benchmark = {
  name: 'scienceqa',
  column: 'SQA-I',
  description: 'ScienceQA test: multiple-choice accuracy; table = IMG accuracy',
  async loadQuestions(opts) {
    const file = opts.questionFile ?? findFile(opts.dataDir, ['eve_test_CQM-A.json', 'llava_test_CQM-A.json'], 'ScienceQA question file');
    const records = await readJson<SqaRecord[]>(file);
    if (!Array.isArray(records)) throw new FormatError(file, 'expected a JSON list of LLaVA-format records');
    const imageDir = opts.imageDir ?? path.join(opts.dataDir, 'images', 'test');
    return records.map((r, i): EvalQuestion => {
      const first = r.conversations?.[0];
      if (typeof r.id !== 'string' || !first) throw new FormatError(file, `record ${i} needs an id and a first turn`);
      const qs = first.value.replaceAll('<image>', '').trim();
      const hasImage = typeof r.image === 'string';
      return {
        questionId: r.id,
        imagePath: hasImage && !opts.isBlind ? path.resolve(imageDir, r.image!) : null,
        prompt: qs + OPTION_LETTER_SUFFIX,
        // Kept with "<image>\n" even in blind runs: the scorer's IMG subset is read from it.
        recordedPrompt: (hasImage ? '<image>\n' : '') + qs + OPTION_LETTER_SUFFIX,
        maxNewTokens: 1024,
      };
    });
  },
  async score(opts) {
    const split = await readJson<Record<string, string[]>>(findFile(opts.annotations, ['pid_splits.json'], 'ScienceQA pid_splits.json'));
    const problems = await readJson<Record<string, SqaProblem>>(findFile(opts.annotations, ['problems.json'], 'ScienceQA problems.json'));
    const ids = split.test;
    if (!Array.isArray(ids)) throw new FormatError(opts.annotations, 'pid_splits.json has no "test" split');
    const preds = new Map(opts.predictions.map((p) => [String(p.question_id), p] as const));
    let correct = 0;
    let imgCorrect = 0;
    let imgTotal = 0;
    let missing = 0;
    let failed = 0;
    for (const id of ids) {
      const prob = problems[id];
      if (!prob) throw new FormatError(opts.annotations, `problem ${id} of the test split is not in problems.json`);
      const pred = preds.get(id);
      if (!pred) missing++;
      const letter = scienceqaParseAnswer(pred ? pred.text : 'FAILED');
      if (letter === 'FAILED') failed++;
      const idx = OPTIONS.slice(0, prob.choices.length).indexOf(letter);
      const ok = idx !== -1 && idx === prob.answer;
      const isImg = (pred ? pred.prompt : 'Unknown').includes('<image>');
      if (ok) correct++;
      if (isImg) {
        imgTotal++;
        if (ok) imgCorrect++;
      }
    }
    const idSet = new Set(ids);
    const extra = opts.predictions.filter((p) => !idSet.has(String(p.question_id))).length;
    const imgAccuracy = percent(imgCorrect, imgTotal);
    return {
      benchmark: 'scienceqa',
      scored: true,
      headline: imgAccuracy,
      metrics: { accuracy: percent(correct, ids.length), imgAccuracy },
      breakdown: {},
      counts: { questions: ids.length, answered: ids.length - missing, missing, extra, imgQuestions: imgTotal, unparsed: failed },
      notes: missing ? [`${missing} problems have no answer: wrong, and (as in the release) outside the IMG subset because their prompt is unknown`] : [],
    };
  },
};
