/**
 * The data of the shapes recipe's last fine-tuning phase: the multi-turn conversations, with the
 * colour-existence lookups and the reading questions added as records of their own. After the
 * colour checklist has taught the model to look a colour up, the conversations alone do not keep
 * existence above a constant "no", and reading — one turn in twenty there — is never learned in
 * one epoch; as records of their own both are (packages/trainer/README.md, "Lookups inside the
 * recipe"). The trainer shuffles the records, so they are simply concatenated.
 */
import { EveError } from '@evejs/tensor';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** File name of the mixture, written next to the shapes world's other files. */
export const SHAPES_SFT_MIXTURE = 'sft-mixture.json';

/** How many times each reading record appears (it is the rarest question, and the shortest). */
const READING_COPIES = 2;

interface Record_ {
  id: string;
}

async function readJsonArray(file: string): Promise<Record_[]> {
  if (!existsSync(file)) {
    throw new EveError(`${file} is missing: this shapes world was written by an older evejs; regenerate it (eve data shapes, or delete the recipe's data folder)`);
  }
  return JSON.parse(await readFile(file, 'utf8')) as Record_[];
}

/**
 * Writes `<dataDir>/sft-mixture.json` (atomically) from the world's conversations.json, the
 * existence conversations of lookups.json (ids ending in `-existence`, as `lookupRecords` names
 * them) and readings.json twice; returns its path and how many records of each kind it holds.
 */
export async function writeShapesSftMixture(dataDir: string): Promise<{ file: string; conversations: number; existence: number; readings: number }> {
  const conversations = await readJsonArray(path.join(dataDir, 'conversations.json'));
  const existence = (await readJsonArray(path.join(dataDir, 'lookups.json'))).filter((r) => r.id.endsWith('-existence'));
  const readings = await readJsonArray(path.join(dataDir, 'readings.json'));
  const mixture = [...conversations, ...existence, ...Array.from({ length: READING_COPIES }, () => readings).flat()];
  const file = path.join(dataDir, SHAPES_SFT_MIXTURE);
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(mixture, null, 1)}\n`);
  await rename(tmp, file);
  return { file, conversations: conversations.length, existence: existence.length, readings: readings.length * READING_COPIES };
}
