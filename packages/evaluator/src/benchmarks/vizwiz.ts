/**
 * VizWiz (EVE-SPEC §9.2). Runs on `eve_test.jsonl` with the "Unanswerable" instruction; test-dev
 * is scored by the EvalAI server, so `score` with the test list writes `[{image, answer}]`. With the
 * official val annotations (`val.json`: `[{image, answers: [{answer}]}]`) and `--questions` (to map
 * question ids to images) it scores locally with VQA accuracy.
 */
import { EveError, FormatError } from '@evejs/tensor';
import type { Benchmark } from '../benchmark.js';
import { SHORT_ANSWER_SUFFIX, VIZWIZ_UNANSWERABLE } from '../benchmark.js';
import { readJson } from '../jsonl.js';
import { loadLoaderBenchmark, readLoaderQuestions } from '../loader-questions.js';
import { defaultSubmissionFile, writeSubmission } from './submission.js';
import { scoreVqaItems } from './vqa-family.js';

export const vizwiz: Benchmark = {
  name: 'vizwiz',
  column: 'VizWiz',
  description: 'VizWiz test-dev: EvalAI upload file; val annotations: local VQA accuracy',
  loadQuestions: (opts) =>
    loadLoaderBenchmark(opts, {
      questionFiles: ['eve_test.jsonl', 'llava_test.jsonl'],
      imageDirs: ['test'],
      suffix: VIZWIZ_UNANSWERABLE + SHORT_ANSWER_SUFFIX,
      maxNewTokens: 128,
      what: 'VizWiz',
    }),
  async score(opts) {
    if (opts.annotations.endsWith('.jsonl')) {
      return writeSubmission('vizwiz', await readLoaderQuestions(opts.annotations), opts.predictions, defaultSubmissionFile(opts, 'vizwiz'));
    }
    const ann = await readJson<{ image: string; answers: { answer: string }[] }[]>(opts.annotations);
    if (!Array.isArray(ann)) throw new FormatError(opts.annotations, 'expected the VizWiz annotation list (or a test-list .jsonl for a submission)');
    if (!opts.questions) throw new EveError('vizwiz: scoring val annotations needs --questions (the question file maps question ids to images)');
    const byImage = new Map(ann.map((a) => [a.image, a] as const));
    const items = (await readLoaderQuestions(opts.questions)).map((q) => {
      const a = byImage.get(q.image);
      if (!a) throw new EveError(`vizwiz: image ${q.image} of question ${q.question_id} is not in ${opts.annotations}`);
      return { id: q.question_id, humanAnswers: a.answers.map((x) => x.answer) };
    });
    return scoreVqaItems('vizwiz', items, opts.predictions);
  },
};
