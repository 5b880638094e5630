// `eve eval run|merge|score|report`: EVE's benchmark harness (EVE-SPEC §9) on top of
// @evejs/evaluator. The model is reached only through an `Answerer`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { EveError } from '@evejs/tensor';
import {
  type Answerer,
  ModelAnswerer,
  type ScoreResult,
  ShapesSceneAnswerer,
  buildReportTable,
  chunkFileName,
  getBenchmark,
  mergeAnswerFiles,
  readAnswers,
  readSavedResults,
  reportChartPng,
  reportMarkdown,
  runEvaluation,
} from '@evejs/evaluator';
import { selectBackend } from '../backends.js';
import { BUILTIN_MODEL_DIR } from '../builtin-model.js';
import { ProgressBar } from '../progress.js';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

/**
 * The Answerer for `--answerer`. `model` is EVE itself (greedy decoding, the release's runner
 * settings); `shapes-oracle` reads answers off the shapes scenes (a ceiling and a harness check,
 * not a model).
 */
async function createAnswerer(kind: string, modelDir: string, dataDir: string, backendFlag?: string): Promise<Answerer> {
  if (kind === 'shapes-oracle') return ShapesSceneAnswerer.load(dataDir);
  if (kind === 'model') return ModelAnswerer.load(modelDir, { backend: await selectBackend(backendFlag) });
  throw new EveError(`unknown answerer "${kind}" (model, shapes-oracle)`);
}

function formatTable(r: ScoreResult): string {
  const lines = [`${r.benchmark}: ${r.scored ? `${r.headline?.toFixed(2)}` : 'unscored'}`];
  for (const [k, v] of Object.entries(r.metrics)) lines.push(`  ${k.padEnd(28)} ${v.toFixed(2)}`);
  for (const [name, table] of Object.entries(r.breakdown)) {
    if (name === 'grades') continue;
    lines.push(`  ${name}:`);
    for (const [k, v] of Object.entries(table)) lines.push(`    ${k.padEnd(26)} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
  }
  lines.push(`  counts: ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (r.submission) lines.push(`  submission: ${r.submission}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}

export function registerEvalCommand(program: Command): void {
  const ev = program.command('eval').description('evaluate on EVE\'s benchmarks: run, merge shards, score, report');

  ev.command('run')
    .description('answer a benchmark\'s questions into answers.jsonl (resumable; --chunks/--chunk-idx shard like the release)')
    .requiredOption('--benchmark <name>', 'vqav2, gqa, vizwiz, scienceqa, textvqa, pope, mme, mmbench, seed, mmvet or shapes')
    .requiredOption('--data <dir>', "the benchmark's folder in the release's playground layout")
    .requiredOption('--out <dir>', 'output folder (answers.jsonl, or <chunks>_<idx>.jsonl when sharded)')
    .option('--model <dir>', 'model folder', BUILTIN_MODEL_DIR)
    .addOption(new Option('--answerer <kind>', 'what answers').choices(['model', 'shapes-oracle']).default('model'))
    .option('--questions <file>', 'question file (default: found in --data)')
    .option('--images <dir>', 'image folder (default: per benchmark, under --data)')
    .option('--chunks <n>', 'number of shards', positiveInt, 1)
    .option('--chunk-idx <i>', 'this shard', nonNegativeInt, 0)
    .option('--concurrency <k>', 'requests in flight', positiveInt, 1)
    .option('--blind', 'hide the image: text-only prompts without <image>')
    .option('--backend <name>', 'compute backend for --answerer model (default EVE_BACKEND or cpu)')
    .action(async (o: { benchmark: string; data: string; out: string; model: string; answerer: string; questions?: string; images?: string; chunks: number; chunkIdx: number; concurrency: number; blind?: boolean; backend?: string }) => {
      const bench = getBenchmark(o.benchmark);
      const answerer = await createAnswerer(o.answerer, o.model, o.data, o.backend);
      const questions = await bench.loadQuestions({
        dataDir: o.data,
        workDir: o.out,
        isBlind: o.blind === true,
        ...(o.questions ? { questionFile: o.questions } : {}),
        ...(o.images ? { imageDir: o.images } : {}),
      });
      await mkdir(o.out, { recursive: true });
      const answersFile = path.join(o.out, o.chunks > 1 ? chunkFileName(o.chunks, o.chunkIdx) : 'answers.jsonl');
      let bar: ProgressBar | undefined;
      const summary = await runEvaluation({
        questions,
        answerer,
        answersFile,
        chunks: o.chunks,
        chunkIdx: o.chunkIdx,
        concurrency: o.concurrency,
        onProgress: (done, total) => {
          bar ??= new ProgressBar({ label: `eval ${bench.name}`, total, unit: 'q' });
          bar.update(done);
        },
      });
      if (summary.truncatedTail !== null) process.stderr.write(`eve: cut off a truncated last line of ${answersFile} before resuming\n`);
      process.stdout.write(`${JSON.stringify({ benchmark: bench.name, answersFile, ...summary })}\n`);
    });

  ev.command('merge')
    .description('concatenate <chunks>_<i>.jsonl shard files in order (the release\'s merge step)')
    .requiredOption('--out <dir>', 'folder holding the shard files')
    .requiredOption('--chunks <n>', 'number of shards', positiveInt)
    .option('--file <name>', 'merged file name', 'merge.jsonl')
    .action(async (o: { out: string; chunks: number; file: string }) => {
      const file = path.join(o.out, o.file);
      const r = await mergeAnswerFiles(o.out, o.chunks, file);
      process.stdout.write(`${JSON.stringify({ merged: file, ...r })}\n`);
    });

  ev.command('score')
    .description('score answers.jsonl with the benchmark\'s official metric; the last output line is the result as JSON')
    .requiredOption('--benchmark <name>', 'benchmark name')
    .requiredOption('--annotations <path>', 'the official annotation file or folder (a test list for server-scored splits)')
    .requiredOption('--predictions <file>', 'answers.jsonl')
    .option('--questions <file>', 'question file, where the scorer needs it (POPE categories, VizWiz val)')
    .option('--submission <file>', 'where to write a server submission / MM-Vet results file (default beside the predictions)')
    .option('--judge-url <url>', 'MM-Vet: OpenAI-compatible API base URL (…/v1)')
    .option('--judge-model <name>', 'MM-Vet: judge model name')
    .option('--save <file>', 'also write the result JSON (with --model-name) for `eve eval report`')
    .option('--model-name <name>', 'model label for --save', 'model')
    .action(async (o: { benchmark: string; annotations: string; predictions: string; questions?: string; submission?: string; judgeUrl?: string; judgeModel?: string; save?: string; modelName: string }) => {
      const bench = getBenchmark(o.benchmark);
      if ((o.judgeUrl === undefined) !== (o.judgeModel === undefined)) throw new EveError('--judge-url and --judge-model go together');
      const apiKey = process.env.OPENAI_API_KEY;
      const r = await bench.score({
        annotations: o.annotations,
        predictions: await readAnswers(o.predictions),
        submissionFile: o.submission ?? path.join(path.dirname(o.predictions), `${bench.name}-submission.json`),
        ...(o.questions ? { questions: o.questions } : {}),
        ...(o.judgeUrl && o.judgeModel ? { judge: { url: o.judgeUrl, model: o.judgeModel, ...(apiKey ? { apiKey } : {}) } } : {}),
      });
      if (o.save) {
        await mkdir(path.dirname(path.resolve(o.save)), { recursive: true });
        await writeFile(o.save, `${JSON.stringify({ model: o.modelName, ...r }, null, 1)}\n`);
      }
      process.stdout.write(formatTable(r));
      process.stdout.write(`${JSON.stringify(r)}\n`);
    });

  ev.command('report')
    .description('gather saved results into the paper\'s table (report.md, report.json) and a bar chart (chart.png)')
    .requiredOption('--results <paths...>', 'result JSON files or folders of them')
    .requiredOption('--out <dir>', 'output folder')
    .option('--no-chart', 'skip chart.png')
    .action(async (o: { results: string[]; out: string; chart: boolean }) => {
      const table = buildReportTable(await readSavedResults(o.results));
      await mkdir(o.out, { recursive: true });
      const md = reportMarkdown(table);
      await writeFile(path.join(o.out, 'report.md'), md);
      await writeFile(path.join(o.out, 'report.json'), `${JSON.stringify(table, null, 1)}\n`);
      if (o.chart) await writeFile(path.join(o.out, 'chart.png'), await reportChartPng(table));
      process.stdout.write(md);
    });
}
