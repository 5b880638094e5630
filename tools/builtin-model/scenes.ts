/** The scenes of a recipe's data folder (`scenes.jsonl`, written by `eve data shapes`), as the tools here read them. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Scene } from '@evejs/datasets';

export interface SceneRow {
  image: string;
  split: 'train' | 'eval';
  scene: Scene;
}

/** Every scene of `dataDir`, in file order. */
export async function readSceneRows(dataDir: string): Promise<SceneRow[]> {
  return (await readFile(path.join(dataDir, 'scenes.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SceneRow);
}

/** The first `count` held-out scenes. */
export async function heldOutScenes(dataDir: string, count: number): Promise<SceneRow[]> {
  return (await readSceneRows(dataDir)).filter((r) => r.split === 'eval').slice(0, count);
}
