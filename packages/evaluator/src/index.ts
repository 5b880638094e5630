/**
 * @evejs/evaluator: EVE's evaluation (EVE-SPEC §9). Benchmark adapters read the official files,
 * build EVE's prompts and compute the official metrics; the runner answers questions through an
 * `Answerer` into the release's answers.jsonl (resumable, sharded); reports gather scores into the
 * paper's table and a chart. `ModelAnswerer` answers with EVE through @evejs/model/runtime.
 */

export { normalizeAnswer, pythonSplit, pythonStrip } from './evalai-normalizer.js';
export { vqaAccuracy } from './vqa-accuracy.js';
export { yesNoMetrics, type YesNoMetrics } from './yes-no-metrics.js';
export { readAnswers, matchAnswers, idKey, answerKey, type AnswerRecord, type QuestionId, type MatchedAnswers } from './answers.js';
export { readJsonLines, parseJsonLines, readJson, type JsonLines, type ReadJsonLinesOptions } from './jsonl.js';
export {
  SHORT_ANSWER_SUFFIX,
  OPTION_LETTER_SUFFIX,
  VIZWIZ_UNANSWERABLE,
  type Benchmark,
  type EvalQuestion,
  type LoadOptions,
  type ScoreOptions,
  type ScoreResult,
  type ScoreCounts,
} from './benchmark.js';
export { BENCHMARKS, getBenchmark } from './benchmark-registry.js';
export { popeAnswerIsYes } from './benchmarks/pope.js';
export { mmeParseAnswer, MME_PERCEPTION, MME_COGNITION } from './benchmarks/mme.js';
export { scienceqaParseAnswer } from './benchmarks/scienceqa.js';
export { gqaPrediction } from './benchmarks/gqa.js';
export { textvqaQuestionFromPrompt } from './benchmarks/textvqa.js';
export { mmbenchMatchOption, mmbenchOptions, mmbenchPrompt } from './benchmarks/mmbench.js';
export { MMVET_GRADER_PROMPT, mmvetGraderMessage, mmvetParseScore, mmvetGrade, type JudgeConfig } from './mmvet-judge.js';
export type { Answerer, AnswerRequest } from './answerer.js';
export { ShapesSceneAnswerer, answerFromScene } from './shapes-scene-answerer.js';
export { runEvaluation, mergeAnswerFiles, getChunk, chunkFileName, type RunOptions, type RunSummary } from './runner.js';
export { readSavedResults, buildReportTable, reportMarkdown, type SavedResult, type ReportTable } from './report.js';
export { reportChartSvg, reportChartPng } from './chart.js';
export { ModelAnswerer, type ModelAnswererOptions } from './model-answerer.js';
