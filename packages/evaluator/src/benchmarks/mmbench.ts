/**
 * MMBench (EVE-SPEC §9.2, §9.8). Questions come from the official TSV (base64 images, options
 * A–D until the first missing one, optional hint); one round per row, prompt
 * `[hint\n]question\nA. …\n…\nAnswer with the option's letter from the given choices directly.`.
 *
 * Official scores come from the MMBench server (the release uploads an .xlsx). With a TSV that has
 * the `answer` column (the dev split), `score` computes CircularEval locally: rows with the same
 * `index % 1e6` are circular shifts of one question, which counts only if every copy is right.
 * Answers are matched to options by rules (a single option letter as a token, else a single option
 * text contained in the answer); the service's LLM fallback is not reproduced, so unmatched answers
 * count as wrong and are reported.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FormatError } from '@evejs/tensor';
import type { Benchmark, EvalQuestion } from '../benchmark.js';
import { OPTION_LETTER_SUFFIX, findFile, percent } from '../benchmark.js';
import { parseTsv } from '../tsv.js';

const LETTERS = ['A', 'B', 'C', 'D'];

function isNone(v: string | undefined): boolean {
  return v === undefined || v === '' || v.toLowerCase() === 'nan' || v.toLowerCase() === 'none';
}

/** Options A… of a row, stopping at the first missing one (the release's `get_options`). */
export function mmbenchOptions(row: Record<string, string>): string[] {
  const out: string[] = [];
  for (const l of LETTERS) {
    if (isNone(row[l])) break;
    out.push(row[l]!);
  }
  return out;
}

export function mmbenchPrompt(row: Record<string, string>): string {
  let q = row.question ?? '';
  if (!isNone(row.hint)) q = `${row.hint}\n${q}`;
  mmbenchOptions(row).forEach((o, i) => {
    q += `\n${LETTERS[i]}. ${o}`;
  });
  return q;
}

/** Rule-based matching of a free-form answer to an option letter, or null. */
export function mmbenchMatchOption(answer: string, options: readonly string[]): string | null {
  const letters = LETTERS.slice(0, options.length);
  let mod = answer;
  for (const c of '.()[],:;!*#{}') mod = mod.replaceAll(c, ' ');
  const tokens = mod.split(/\s+/).filter(Boolean);
  const hits = letters.filter((l) => tokens.includes(l));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) {
    const lower = answer.toLowerCase();
    const byText = letters.filter((_, i) => lower.includes(options[i]!.toLowerCase()));
    if (byText.length === 1) return byText[0]!;
  }
  return null;
}

function imageExtension(bytes: Buffer): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  return 'bin';
}

async function readRows(file: string): Promise<Record<string, string>[]> {
  const rows = parseTsv(await readFile(file, 'utf8'), file);
  rows.forEach((r, i) => {
    if (isNone(r.index) || !Number.isFinite(Number(r.index))) throw new FormatError(file, `row ${i + 2} has no numeric index`);
  });
  return rows;
}

export const mmbench: Benchmark = {
  name: 'mmbench',
  column: 'MMB',
  description: 'MMBench-EN dev: CircularEval with rule-based option matching (official: server)',
  async loadQuestions(opts) {
    const file = opts.questionFile ?? findFile(opts.dataDir, ['mmbench_dev_20230712.tsv', 'mmbench_dev_en_20231003.tsv'], 'MMBench TSV');
    const rows = await readRows(file);
    const imageDir = path.join(opts.workDir ?? opts.dataDir, 'mmbench-images');
    if (!opts.isBlind) await mkdir(imageDir, { recursive: true });
    const out: EvalQuestion[] = [];
    for (const row of rows) {
      const options = mmbenchOptions(row);
      const prompt = mmbenchPrompt(row);
      let imagePath: string | null = null;
      if (!opts.isBlind && !isNone(row.image)) {
        const bytes = Buffer.from(row.image!, 'base64');
        imagePath = path.join(imageDir, `${row.index}.${imageExtension(bytes)}`);
        await writeFile(imagePath, bytes);
      }
      out.push({
        questionId: Number(row.index),
        imagePath,
        prompt: prompt + OPTION_LETTER_SUFFIX,
        // model_vqa_mmbench records the prompt without the suffix.
        recordedPrompt: prompt,
        maxNewTokens: 1024,
        extra: { round_id: 0, options, option_char: LETTERS.slice(0, options.length) },
      });
    }
    return out;
  },
  async score(opts) {
    const rows = await readRows(opts.annotations);
    if (!rows.every((r) => !isNone(r.answer))) throw new FormatError(opts.annotations, 'rows without an answer: this split is scored by the MMBench server');
    const preds = new Map(opts.predictions.map((p) => [Number(p.question_id), p.text] as const));
    const groups = new Map<number, boolean[]>();
    const categories = new Map<string, Map<number, boolean[]>>();
    let missing = 0;
    let unmatched = 0;
    let singleCorrect = 0;
    let singleTotal = 0;
    for (const r of rows) {
      const idx = Number(r.index);
      const text = preds.get(idx);
      if (text === undefined) missing++;
      const letter = text === undefined ? null : mmbenchMatchOption(text, mmbenchOptions(r));
      if (text !== undefined && letter === null) unmatched++;
      const ok = letter === r.answer;
      const g = idx % 1_000_000;
      groups.set(g, [...(groups.get(g) ?? []), ok]);
      const cat = r.category ?? 'unknown';
      const cg = categories.get(cat) ?? new Map<number, boolean[]>();
      cg.set(g, [...(cg.get(g) ?? []), ok]);
      categories.set(cat, cg);
      if (idx < 1_000_000) {
        singleTotal++;
        singleCorrect += ok ? 1 : 0;
      }
    }
    const circ = (m: Map<number, boolean[]>) => percent([...m.values()].filter((v) => v.every(Boolean)).length, m.size);
    const circular = circ(groups);
    const ids = new Set(rows.map((r) => Number(r.index)));
    const extra = opts.predictions.filter((p) => !ids.has(Number(p.question_id))).length;
    return {
      benchmark: 'mmbench',
      scored: true,
      headline: circular,
      metrics: { circularAccuracy: circular, singlePassAccuracy: percent(singleCorrect, singleTotal) },
      breakdown: { circularByCategory: Object.fromEntries([...categories].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, m]) => [c, circ(m)])) },
      counts: { questions: rows.length, answered: rows.length - missing, missing, extra, circularGroups: groups.size, unmatched },
      notes: [
        'local CircularEval with rule-based option matching; the official number comes from the MMBench server',
        ...(unmatched ? [`${unmatched} answers matched no option and count as wrong`] : []),
      ],
    };
  },
};
