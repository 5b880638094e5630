/** The scenes (and other JSON lines) of a recipe's data folder, written by `eve data shapes`, as the tools here read them. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Scene } from '@evejs/datasets';

export interface SceneRow {
  image: string;
  split: 'train' | 'eval';
  scene: Scene;
}

/** The records of a JSON-lines file (`scenes.jsonl`, `questions.jsonl`), in file order. */
export async function readJsonLines<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
}

/** Every scene of `dataDir`, in file order. */
export function readSceneRows(dataDir: string): Promise<SceneRow[]> {
  return readJsonLines<SceneRow>(path.join(dataDir, 'scenes.jsonl'));
}

/** The first `count` held-out scenes. */
export async function heldOutScenes(dataDir: string, count: number): Promise<SceneRow[]> {
  return (await readSceneRows(dataDir)).filter((r) => r.split === 'eval').slice(0, count);
}
