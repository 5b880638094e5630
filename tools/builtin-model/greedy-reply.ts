/** Asking a loaded checkpoint about one of a recipe's images, greedily, as the tools here all do. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EveRuntime, PreparedImage } from '@evejs/model/runtime';

/** `<data dir>/images/<image>`, decoded and preprocessed for `runtime`. */
export async function recipeImage(runtime: EveRuntime, dataDir: string, image: string): Promise<PreparedImage> {
  return runtime.prepareImage(new Uint8Array(await readFile(path.join(dataDir, 'images', image))), image, 40_000_000);
}

/** The greedy continuation of prompt `ids` about `image`, up to `maxNewTokens` or `stop` (excluded). */
export async function greedyReply(runtime: EveRuntime, ids: readonly number[], image: PreparedImage, maxNewTokens: number, stop: string): Promise<string> {
  let text = '';
  for await (const step of runtime.generate(ids, { image, maxNewTokens, temperature: 0, topP: 1, topK: 0, seed: 0, stopStrings: [stop], signal: new AbortController().signal })) {
    text += step.text;
  }
  return text;
}
