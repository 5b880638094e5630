/**
 * TextVQA val (EVE-SPEC §9.2, §9.4). The question file's prompt is
 * `{q}\nReference OCR token: {tokens}\nAnswer the question using a single word or phrase.`; the
 * release's `eval_textvqa.py` recovers the question from the recorded prompt and matches each
 * answer to the annotation with `(image_id == question_id, lowercased question)`. Scored locally.
 */
import { EveError, FormatError } from '@evejs/tensor';
import type { AnswerRecord } from '../answers.js';
import type { Benchmark } from '../benchmark.js';
import { SHORT_ANSWER_SUFFIX } from '../benchmark.js';
import { readJson } from '../jsonl.js';
import { loadLoaderBenchmark } from '../loader-questions.js';
import { vqaAccuracy } from '../vqa-accuracy.js';

/** The question inside a TextVQA prompt, lower-cased (the release's `prompt_processor`). */
export function textvqaQuestionFromPrompt(prompt: string): string {
  let question: string;
  const lines = prompt.split('\n');
  if (prompt.startsWith('OCR tokens: ')) {
    const m = /Question: ([\s\S]*?) Short answer:/.exec(prompt);
    if (!m) throw new EveError(`textvqa: cannot find the question in prompt ${JSON.stringify(prompt)}`);
    question = m[1]!;
  } else if (prompt.includes('Reference OCR token: ') && lines.length === 3) {
    question = prompt.startsWith('Reference OCR token:') ? lines[1]! : lines[0]!;
  } else if (lines.length === 2) {
    question = lines[0]!;
  } else {
    throw new EveError(`textvqa: unexpected prompt layout ${JSON.stringify(prompt)}`);
  }
  return question.toLowerCase();
}

interface TextVqaAnnotation {
  image_id: string;
  question: string;
  answers: string[];
}

export const textvqa: Benchmark = {
  name: 'textvqa',
  column: 'TextVQA',
  description: 'TextVQA val with reference OCR tokens: local VQA accuracy',
  loadQuestions: (opts) =>
    loadLoaderBenchmark(opts, {
      questionFiles: ['eve_textvqa_val_v051_ocr.jsonl', 'llava_textvqa_val_v051_ocr.jsonl'],
      imageDirs: ['train_images', 'images'],
      suffix: SHORT_ANSWER_SUFFIX,
      maxNewTokens: 128,
      what: 'TextVQA',
    }),
  async score(opts) {
    const ann = await readJson<{ data: TextVqaAnnotation[] }>(opts.annotations);
    if (!Array.isArray(ann.data)) throw new FormatError(opts.annotations, 'expected the TextVQA annotation file ({"data": [...]})');
    const key = (imageId: unknown, q: string) => `${JSON.stringify(imageId)}\u0000${q}`;
    const byKey = new Map(ann.data.map((a) => [key(a.image_id, a.question.toLowerCase()), a] as const));
    const used = new Set<string>();
    let sum = 0;
    let extra = 0;
    const scored: AnswerRecord[] = [];
    for (const p of opts.predictions) {
      const k = key(p.question_id, textvqaQuestionFromPrompt(p.prompt));
      const a = byKey.get(k);
      if (!a) {
        extra++;
        continue;
      }
      if (used.has(k)) throw new EveError(`textvqa: two answers for image ${p.question_id}, question ${JSON.stringify(a.question)}`);
      used.add(k);
      scored.push(p);
      sum += vqaAccuracy(p.text, a.answers);
    }
    const missing = ann.data.length - used.size;
    // The release averages over the answered questions; with a complete run that is all of them.
    const accuracy = scored.length ? (sum / scored.length) * 100 : 0;
    const notes: string[] = [];
    if (missing) notes.push(`${missing} annotated questions have no answer; like the release, the accuracy is over the ${scored.length} answered`);
    if (extra) notes.push(`${extra} answers match no annotation (not scored; the release would stop with a KeyError)`);
    return {
      benchmark: 'textvqa',
      scored: true,
      headline: accuracy,
      metrics: { accuracy },
      breakdown: {},
      counts: { questions: ann.data.length, answered: scored.length, missing, extra },
      notes,
    };
  },
};
