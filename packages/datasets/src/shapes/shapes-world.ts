/**
 * The shapes world: a seeded, endless supply of small scenes with captions, questions and teacher
 * features, addressable by (seed, split, index) so any sample can be regenerated exactly. It can
 * be streamed in memory or written to disk in the LLaVA JSON layout EVE's training reads.
 */
import { Rng } from '@evejs/tensor';
import {
  caption,
  captionPrompt,
  COLOUR_CHECKLIST_QUESTION,
  colourChecklist,
  colourExistenceQuestions,
  colourLookupTurns,
  colourPositionQuestions,
  colourShapeQuestions,
  conversationTurns,
  type QuestionAnswer,
  questions,
  SHORT_ANSWER_SUFFIX,
} from './language.js';
import { renderScene, type RenderedScene } from './render.js';
import { generateScene, type Scene, type SceneOptions } from './scene.js';

export type ShapesSplit = 'train' | 'eval';

export interface ShapesSample {
  /** Stable id, e.g. "shapes-train-000042". */
  readonly id: string;
  /** File name the image gets on disk (relative to the image folder). */
  readonly image: string;
  readonly split: ShapesSplit;
  readonly index: number;
  readonly scene: Scene;
  readonly rendered: RenderedScene;
  readonly caption: string;
  readonly captionPrompt: string;
  /** The held-out benchmark's questions of this image (eval split). */
  readonly qa: readonly QuestionAnswer[];
  /** The turns of its training conversation: `qa`, with independently answered existence questions in the pair's places. */
  readonly turns: readonly QuestionAnswer[];
  /** Which colours the scene has and the shapes of each ("red no, green square, …"): the one-step form of the colour lookup. */
  readonly checklist: string;
  /**
   * Training questions that a colour lookup answers: existence by colour, positions and shapes of
   * colour-unique objects, and `colour`: the existence questions with some of the shape questions
   * in their last places (`colourLookupTurns`).
   */
  readonly lookups: {
    readonly existence: readonly QuestionAnswer[];
    readonly position: readonly QuestionAnswer[];
    readonly shape: readonly QuestionAnswer[];
    readonly colour: readonly QuestionAnswer[];
  };
}

export interface ShapesOptions extends SceneOptions {
  /** Questions per type per image (default 1). */
  questionsPerType?: number;
}

/** A generator for sample `index` of a split, independent of every other sample. */
export function sampleRng(seed: number, split: ShapesSplit, index: number): Rng {
  let h = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (split === 'train' ? 0x27d4eb2f : 0x165667b1), 0x85ebca77) >>> 0;
  h = Math.imul(h ^ (index >>> 0), 0xc2b2ae3d) >>> 0;
  return new Rng(h ^ (h >>> 16));
}

/** Generates one sample; the same arguments always give the same sample. */
export function shapesSample(seed: number, split: ShapesSplit, index: number, opts: ShapesOptions = {}): ShapesSample {
  const rng = sampleRng(seed, split, index);
  const scene = generateScene(rng, opts);
  const id = `shapes-${split}-${String(index).padStart(6, '0')}`;
  // The order of draws from `rng` is part of the format: it fixes every sample of a seed.
  const prompt = captionPrompt(rng);
  const qa = questions(scene, rng, opts.questionsPerType ?? 1);
  // Drawn after everything else, so the scenes, captions and benchmark questions stay as they were.
  const turns = conversationTurns(scene, qa, rng);
  const existence = colourExistenceQuestions(scene, rng);
  const position = colourPositionQuestions(scene, rng);
  // Drawn after the others, so the existence and position lookups stay as they were.
  const shape = colourShapeQuestions(scene, rng);
  const lookups = { existence, position, shape, colour: colourLookupTurns(existence, shape, rng) };
  return {
    id,
    image: `${id}.png`,
    split,
    index,
    scene,
    rendered: renderScene(scene),
    caption: caption(scene),
    captionPrompt: prompt,
    qa,
    turns,
    checklist: colourChecklist(scene),
    lookups,
  };
}

/** Streams `count` samples of a split. */
export function* streamShapes(seed: number, split: ShapesSplit, count: number, opts: ShapesOptions = {}): Generator<ShapesSample> {
  for (let i = 0; i < count; i++) yield shapesSample(seed, split, i, opts);
}

/** A LLaVA-format record (the layout of EVE's caption and SFT JSON files). */
export interface LlavaRecord {
  id: string;
  image?: string;
  conversations: { from: 'human' | 'gpt'; value: string }[];
}

/** The pre-training (caption) record of a sample: `<image>` + a caption request → the caption. */
export function captionRecord(s: ShapesSample): LlavaRecord {
  return {
    id: s.id,
    image: s.image,
    conversations: [
      { from: 'human', value: `<image>\n${s.captionPrompt}` },
      { from: 'gpt', value: s.caption },
    ],
  };
}

/**
 * A multi-turn conversation over `turns`, `<image>` in the first human turn; every other question
 * carries EVE's short-answer suffix, as LLaVA-style VQA data does.
 */
function questionsRecord(s: ShapesSample, id: string, turns: readonly QuestionAnswer[]): LlavaRecord {
  const conversations: LlavaRecord['conversations'] = [];
  turns.forEach((qa, i) => {
    const q = i % 2 === 0 ? qa.question : qa.question + SHORT_ANSWER_SUFFIX;
    conversations.push({ from: 'human', value: i === 0 ? `<image>\n${q}` : q });
    conversations.push({ from: 'gpt', value: qa.answer });
  });
  return { id, image: s.image, conversations };
}

/** The SFT record of a sample: a multi-turn conversation over its questions of every type. */
export function conversationRecord(s: ShapesSample): LlavaRecord {
  return questionsRecord(s, s.id, s.turns);
}

/**
 * The sample's colour-lookup SFT records: its existence questions in one conversation and, where it
 * has an object of a unique colour, its position questions in another, its shape questions in a
 * third, and the existence questions mixed with shape questions in a fourth (`-colour`).
 */
export function lookupRecords(s: ShapesSample): LlavaRecord[] {
  const { existence, position, shape, colour } = s.lookups;
  const kinds: [string, readonly QuestionAnswer[]][] = [['existence', existence], ['position', position], ['shape', shape], ['colour', colour]];
  return kinds.filter(([, turns]) => turns.length > 0).map(([kind, turns]) => questionsRecord(s, `${s.id}-${kind}`, turns));
}

/**
 * The sample's reading question alone, as an SFT record ("What word is written in the image?" →
 * "dog"), or null when no word is printed. Inside the multi-turn conversations reading is one turn
 * in twenty, too rare for a small model to learn in one epoch; on its own it is learned (the
 * trainer README's run23).
 */
export function readingRecord(s: ShapesSample): LlavaRecord | null {
  const reading = s.turns.filter((qa) => qa.type === 'reading');
  return reading.length ? questionsRecord(s, `${s.id}-reading`, reading) : null;
}

/** The sample's colour checklist as an SFT record: "Which colors are in the image?" → "red no, green square, …". */
export function checklistRecord(s: ShapesSample): LlavaRecord {
  return questionsRecord(s, `${s.id}-checklist`, [{ type: 'existence', question: COLOUR_CHECKLIST_QUESTION, answer: s.checklist }]);
}

/** One held-out question in the shapes benchmark's format (JSON lines). */
export interface ShapesQuestion {
  question_id: string;
  image: string;
  /** The question as asked (without the answer-format suffix; the evaluator adds it). */
  text: string;
  type: QuestionAnswer['type'];
  answer: string;
}

export function benchmarkQuestions(s: ShapesSample): ShapesQuestion[] {
  return s.qa.map((qa, k) => ({ question_id: `${s.id}-q${k}`, image: s.image, text: qa.question, type: qa.type, answer: qa.answer }));
}
