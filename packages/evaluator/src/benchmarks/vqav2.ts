/**
 * VQAv2 (EVE-SPEC §9.2). Runs on `eve_vqav2_mscoco_test-dev2015.jsonl`; test-dev is scored by the
 * EvalAI server, so `score` with the full `*_test2015.jsonl` list writes the upload file. With the
 * official annotation JSON (`v2_mscoco_val2014_annotations.json`) it scores locally with VQA
 * accuracy (m4c evaluator semantics, broken down by answer_type).
 */
import { FormatError } from '@evejs/tensor';
import type { Benchmark } from '../benchmark.js';
import { SHORT_ANSWER_SUFFIX } from '../benchmark.js';
import { readJson } from '../jsonl.js';
import { loadLoaderBenchmark, readLoaderQuestions } from '../loader-questions.js';
import { defaultSubmissionFile, writeSubmission } from './submission.js';
import { scoreVqaItems } from './vqa-family.js';

interface VqaAnnotations {
  annotations: { question_id: number; answer_type?: string; answers: { answer: string }[] }[];
}

export const vqav2: Benchmark = {
  name: 'vqav2',
  column: 'VQAv2',
  description: 'VQAv2 test-dev: EvalAI upload file; val annotations: local VQA accuracy',
  loadQuestions: (opts) =>
    loadLoaderBenchmark(opts, {
      questionFiles: ['eve_vqav2_mscoco_test-dev2015.jsonl', 'llava_vqav2_mscoco_test-dev2015.jsonl'],
      imageDirs: ['test2015'],
      suffix: SHORT_ANSWER_SUFFIX,
      maxNewTokens: 128,
      what: 'VQAv2',
    }),
  async score(opts) {
    if (opts.annotations.endsWith('.jsonl')) {
      return writeSubmission('vqav2', await readLoaderQuestions(opts.annotations), opts.predictions, defaultSubmissionFile(opts, 'vqav2'));
    }
    const ann = await readJson<VqaAnnotations>(opts.annotations);
    if (!Array.isArray(ann.annotations)) throw new FormatError(opts.annotations, 'expected {"annotations": [...]} (or a test-list .jsonl for a submission)');
    const items = ann.annotations.map((a) => ({
      id: a.question_id,
      humanAnswers: a.answers.map((x) => x.answer),
      ...(a.answer_type !== undefined ? { group: a.answer_type } : {}),
    }));
    return scoreVqaItems('vqav2', items, opts.predictions);
  },
};
