/**
 * What is said about a scene: captions (for generative pre-training) and question–answer pairs by
 * type (for SFT and the held-out benchmark). Questions are only asked where the answer is
 * unambiguous (e.g. "what color is the circle?" only when there is exactly one circle), and
 * existence questions ask about absent objects as often as present ones.
 */
import type { Rng } from '@evejs/tensor';
import { objectName, positionOf, type Scene, type SceneObject } from './scene.js';
import { COLOURS, PLURAL, POSITIONS, SHAPES, type ShapeKind } from './vocabulary.js';

export const QUESTION_TYPES = ['color', 'shape', 'count', 'position', 'existence', 'reading'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface QuestionAnswer {
  readonly type: QuestionType;
  readonly question: string;
  /** Lower-case single word or short phrase; counts are digits. */
  readonly answer: string;
}

/** The suffix EVE's evaluation adds to short-answer questions. */
export const SHORT_ANSWER_SUFFIX = '\nAnswer the question using a single word or phrase.';

const CAPTION_PROMPTS = [
  'Describe the image briefly.',
  'Give a short description of this picture.',
  'What is in this image?',
  'Summarize the visual content of the image.',
  'Write a brief caption for the image.',
];

export function captionPrompt(rng: Rng): string {
  return CAPTION_PROMPTS[rng.int(CAPTION_PROMPTS.length)]!;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function describeObject(scene: Scene, o: SceneObject): string {
  const name = `${o.size} ${objectName(o)}`;
  return `${article(name)} ${name} at the ${positionOf(scene, o.cx, o.cy)}`;
}

/**
 * The objects in reading order: by 3×3 grid cell row-major (the cells position names refer to),
 * then top to bottom and left to right within a cell. A caption that lists objects in the order
 * they were generated gives a model no way to know which one comes first; in reading order each
 * next object is the next one found by scanning the image, as the image tokens are laid out.
 */
export function readingOrder(scene: Scene): SceneObject[] {
  const cell = (o: SceneObject) => POSITIONS.indexOf(positionOf(scene, o.cx, o.cy));
  return [...scene.objects].sort((a, b) => cell(a) - cell(b) || a.cy - b.cy || a.cx - b.cx);
}

/** A one- or two-sentence caption naming every object (in reading order), its position and the printed word. */
export function caption(scene: Scene): string {
  const parts = readingOrder(scene).map((o) => describeObject(scene, o));
  const n = parts.length;
  let text: string;
  if (n === 1) text = `The image shows ${parts[0]}.`;
  else text = `The image shows ${n} objects: ${parts.slice(0, -1).join(', ')} and ${parts[n - 1]}.`;
  if (scene.word) text += ` The word "${scene.word.text}" is written on a white label.`;
  return text;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

/** Every question of one type that the scene answers unambiguously. */
export function questionsOfType(scene: Scene, type: QuestionType, rng: Rng): QuestionAnswer[] {
  const objs = scene.objects;
  const byShape = countBy(objs, (o) => o.shape);
  const byColour = countBy(objs, (o) => String(o.colour));
  const byName = countBy(objs, objectName);
  const out: QuestionAnswer[] = [];
  switch (type) {
    case 'color':
      for (const o of objs) {
        if (byShape.get(o.shape) === 1) out.push({ type, question: `What color is the ${o.shape}?`, answer: COLOURS[o.colour]!.name });
      }
      break;
    case 'shape':
      for (const o of objs) {
        if (byColour.get(String(o.colour)) === 1) {
          out.push({ type, question: `What shape is the ${COLOURS[o.colour]!.name} object?`, answer: o.shape });
        }
      }
      break;
    case 'count': {
      out.push({ type, question: 'How many objects are there in the image?', answer: String(objs.length) });
      const shape: ShapeKind = SHAPES[rng.int(SHAPES.length)]!;
      out.push({ type, question: `How many ${PLURAL[shape]} are there?`, answer: String(byShape.get(shape) ?? 0) });
      break;
    }
    case 'position':
      for (const o of objs) {
        if (byName.get(objectName(o)) === 1) {
          out.push({ type, question: `Where is the ${objectName(o)}?`, answer: positionOf(scene, o.cx, o.cy) });
        }
      }
      break;
    case 'existence': {
      const present = objs[rng.int(objs.length)];
      if (present) out.push({ type, question: `Is there ${article(objectName(present))} ${objectName(present)} in the image?`, answer: 'yes' });
      // An absent object: a colour/shape combination not in the scene (often sharing one attribute).
      for (let tries = 0; tries < 20; tries++) {
        const shape = SHAPES[rng.int(SHAPES.length)]!;
        const colour = rng.int(COLOURS.length);
        const name = `${COLOURS[colour]!.name} ${shape}`;
        if (!byName.has(name)) {
          out.push({ type, question: `Is there ${article(name)} ${name} in the image?`, answer: 'no' });
          break;
        }
      }
      break;
    }
    case 'reading':
      if (scene.word) out.push({ type, question: 'What word is written in the image?', answer: scene.word.text.toLowerCase() });
      break;
  }
  return out;
}

/**
 * A varied set of question–answer pairs: at most `perType` of each type, shuffled. Existence
 * always keeps its pair (one present object → "yes", one absent → "no") so that the held-out
 * benchmark asks both equally often. Training conversations must not ask the pair together (see
 * {@link conversationTurns}).
 */
export function questions(scene: Scene, rng: Rng, perType = 1): QuestionAnswer[] {
  const out: QuestionAnswer[] = [];
  for (const type of QUESTION_TYPES) {
    const qs = rng.shuffle(questionsOfType(scene, type, rng));
    out.push(...qs.slice(0, type === 'existence' ? Math.max(2, perType) : perType));
  }
  return rng.shuffle(out);
}

/**
 * The turns of a training conversation over a sample's questions: `qa` in its order, with the
 * existence pair's two turns asking independently drawn existence questions instead. Asked in one
 * conversation, the pair gives its second answer away (one is always "yes", the other "no"): a
 * model fine-tuned on it learned exactly that — its training loss on existence fell by half while
 * it still answered "yes" to every held-out question. The turns keep their places because the
 * benchmark asks every question first: putting existence first taught the model that the first
 * question wants "yes" or "no", and it answered "no" to which word is written.
 */
export function conversationTurns(scene: Scene, qa: readonly QuestionAnswer[], rng: Rng): QuestionAnswer[] {
  const slots = qa.filter((q) => q.type === 'existence').length;
  const existence: QuestionAnswer[] = [];
  for (let tries = 0; existence.length < slots && tries < 4 * slots; tries++) {
    const pair = questionsOfType(scene, 'existence', rng);
    const wantYes = rng.uniform() < 0.5;
    const pick = pair.find((q) => (q.answer === 'yes') === wantYes);
    if (pick && !existence.some((q) => q.question === pick.question)) existence.push(pick);
  }
  let next = 0;
  return qa.flatMap((q) => (q.type !== 'existence' ? [q] : next < existence.length ? [existence[next++]!] : []));
}

/** The question of the colour checklist (see {@link colourChecklist}). */
export const COLOUR_CHECKLIST_QUESTION = 'Which colors are in the image?';

/**
 * "red no, green square, blue circle and cross, …": each of the seven colours in COLOURS order
 * and the shapes (in SHAPES order) of the scene's objects of that colour, or "no".
 *
 * Existence and position questions need a lookup: find the colour the question names among the
 * image tokens. A model trained from scratch does not learn it from the questions, where the
 * colour word sits some twenty tokens before the answer; it does learn it here, where the colour
 * word is the token right before the answer. Fine-tuned on this first, it then learns the
 * questions' form (the trainer README's "What the lookup needs"). Naming the shapes found, not
 * just "yes", makes the same step read the shape of the token it finds, which shape questions
 * ("What shape is the red object?") need.
 */
export function colourChecklist(scene: Scene): string {
  return COLOURS.map((c, i) => {
    const shapes = SHAPES.filter((shape) => scene.objects.some((o) => o.colour === i && o.shape === shape));
    return `${c.name} ${shapes.length ? shapes.join(' and ') : 'no'}`;
  }).join(', ');
}

/**
 * Questions a colour lookup answers, for fine-tuning: up to `count` existence questions about
 * colours ("Is there a red object in the image?", answered "yes" and "no" about equally often; "no"
 * only for colours the scene lacks), none asked twice.
 */
export function colourExistenceQuestions(scene: Scene, rng: Rng, count = 8): QuestionAnswer[] {
  const present = [...new Set(scene.objects.map((o) => o.colour))];
  const absent = COLOURS.map((_, i) => i).filter((i) => !present.includes(i));
  const out: QuestionAnswer[] = [];
  for (let draws = 0; out.length < count && draws < 200; draws++) {
    const yes = rng.uniform() < 0.5 || absent.length === 0;
    const colour = COLOURS[yes ? present[rng.int(present.length)]! : absent[rng.int(absent.length)]!]!.name;
    const question = `Is there ${article(colour)} ${colour} object in the image?`;
    if (!out.some((q) => q.question === question)) out.push({ type: 'existence', question, answer: yes ? 'yes' : 'no' });
  }
  return out;
}

/** Questions (`ask`) about every object whose colour no other object has (a colour lookup finds it), shuffled. */
function colourUniqueQuestions(scene: Scene, rng: Rng, ask: (o: SceneObject) => QuestionAnswer): QuestionAnswer[] {
  const byColour = countBy(scene.objects, (o) => String(o.colour));
  return rng.shuffle(scene.objects.filter((o) => byColour.get(String(o.colour)) === 1).map(ask));
}

/** "Where is the red circle?" about every object whose colour no other object has, shuffled. */
export function colourPositionQuestions(scene: Scene, rng: Rng): QuestionAnswer[] {
  return colourUniqueQuestions(scene, rng, (o) => ({ type: 'position', question: `Where is the ${objectName(o)}?`, answer: positionOf(scene, o.cx, o.cy) }));
}

/** "What shape is the red object?" about every object whose colour no other object has, shuffled. */
export function colourShapeQuestions(scene: Scene, rng: Rng): QuestionAnswer[] {
  return colourUniqueQuestions(scene, rng, (o) => ({ type: 'shape', question: `What shape is the ${COLOURS[o.colour]!.name} object?`, answer: o.shape }));
}

/** At most this many of a colour-lookup conversation's turns ask a shape (see {@link colourLookupTurns}). */
export const SHAPE_LOOKUP_TURNS = 3;

/** The colour a lookup question names ("Is there a red object …", "What shape is the red object?"). */
function colourAsked(q: QuestionAnswer): string | undefined {
  return COLOURS.find((c) => q.question.includes(` ${c.name} object`))?.name;
}

/**
 * The turns of a colour-lookup conversation: the existence questions, with up to
 * SHAPE_LOOKUP_TURNS shape questions in the places of the last ones, in a shuffled order. Both
 * kinds find the colour the question names among the image tokens; the existence answer then says
 * whether it was found, the shape answer reads the shape of the token found. Shape is what the
 * fine-tuned model did not read back from its image tokens when only the conversations asked it
 * (one turn in twenty); here it is asked as often as the lookup is taught, in the same number of
 * turns, so the phase takes as long as it did with existence questions alone. A shape question
 * about a colour says that colour is there, so an existence question about it always comes
 * first: otherwise its "yes" could be read off the conversation instead of the image (as the
 * existence pair's second answer was, `conversationTurns`).
 */
export function colourLookupTurns(existence: readonly QuestionAnswer[], shape: readonly QuestionAnswer[], rng: Rng): QuestionAnswer[] {
  const shapes = shape.slice(0, Math.min(SHAPE_LOOKUP_TURNS, existence.length));
  const turns = rng.shuffle([...existence.slice(0, existence.length - shapes.length), ...shapes]);
  for (let i = 0; i < turns.length; i++) {
    if (turns[i]!.type !== 'shape') continue;
    const j = turns.findIndex((q, k) => k > i && q.type === 'existence' && colourAsked(q) === colourAsked(turns[i]!));
    if (j > i) [turns[i], turns[j]] = [turns[j]!, turns[i]!];
  }
  return turns;
}
