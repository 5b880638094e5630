/**
 * A rule-based Answerer for the shapes world that reads the answer off the scene description
 * (`scenes.jsonl`) of the image it is asked about. It is the benchmark's ceiling and the runner's
 * deterministic test model: no learning, no image pixels. Without an image (blind runs) it says
 * "unknown". It does not pretend to be EVE.
 */
import path from 'node:path';
import { COLOURS, type Scene, SHAPES, objectName, positionOf } from '@evejs/datasets';
import type { Answerer, AnswerRequest } from './answerer.js';
import { readJsonLines } from './jsonl.js';

export class ShapesSceneAnswerer implements Answerer {
  readonly modelId = 'shapes-scene-oracle';
  readonly #scenes: ReadonlyMap<string, Scene>;

  private constructor(scenes: ReadonlyMap<string, Scene>) {
    this.#scenes = scenes;
  }

  /** Loads `<dataDir>/scenes.jsonl` as written by `eve data shapes`. */
  static async load(dataDir: string): Promise<ShapesSceneAnswerer> {
    const { records } = await readJsonLines<{ image: string; scene: Scene }>(path.join(dataDir, 'scenes.jsonl'));
    return new ShapesSceneAnswerer(new Map(records.map((r) => [r.image, r.scene] as const)));
  }

  async answer(req: AnswerRequest): Promise<string> {
    if (req.imagePath === null) return 'unknown';
    const scene = this.#scenes.get(path.basename(req.imagePath));
    if (!scene) return 'unknown';
    return answerFromScene(scene, req.prompt.split('\n')[0] ?? '');
  }
}

/** The answer to one shapes question about `scene`, or "unknown" for a question it cannot parse. */
export function answerFromScene(scene: Scene, question: string): string {
  const objs = scene.objects;
  const colourName = (i: number) => COLOURS[i]!.name;
  let m: RegExpExecArray | null;
  if ((m = /^What color is the (\w+)\?$/.exec(question))) {
    const o = objs.find((x) => x.shape === m![1]);
    return o ? colourName(o.colour) : 'unknown';
  }
  if ((m = /^What shape is the (\w+) object\?$/.exec(question))) {
    const o = objs.find((x) => colourName(x.colour) === m![1]);
    return o ? o.shape : 'unknown';
  }
  if (question === 'How many objects are there in the image?') return String(objs.length);
  if ((m = /^How many (\w+) are there\?$/.exec(question))) {
    const shape = SHAPES.find((s) => m![1] === `${s}s` || m![1] === `${s}es`);
    return String(objs.filter((x) => x.shape === shape).length);
  }
  if ((m = /^Where is the (\w+ \w+)\?$/.exec(question))) {
    const o = objs.find((x) => objectName(x) === m![1]);
    return o ? positionOf(scene, o.cx, o.cy) : 'unknown';
  }
  if ((m = /^Is there an? (\w+ \w+) in the image\?$/.exec(question))) {
    return objs.some((x) => objectName(x) === m![1]) ? 'Yes' : 'No';
  }
  if (question === 'What word is written in the image?') return scene.word ? scene.word.text : 'none';
  return 'unknown';
}
