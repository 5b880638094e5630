/**
 * The data of the shapes recipe's last two fine-tuning phases, written next to the shapes world's
 * other files from its records (the trainer shuffles records, so files are simply concatenated):
 *
 * - `colour-lookups.json`: the mixed colour lookups of `lookups.json` (its `-colour` records: per
 *   image up to eight turns, "Is there a red object in the image?", "no" only for colours the
 *   image lacks, with up to three "What shape is the red object?" in the places of the last ones),
 *   which move the checklist's one-step colour lookup to the distance of a question and read the
 *   shape of the object it finds;
 * - `sft-mixture.json`: the multi-turn conversations with every second image's colour lookups and
 *   the reading questions (`readings.json`, three times: the rarest question, and the shortest
 *   record) added. Reading, one turn in twenty inside the conversations, is not learned from them
 *   in one epoch; as records of its own it is. With all the lookups, 600 steps from the lookups
 *   phase's model lost existence and reading both (the loss stayed on a plateau); with half, both
 *   were kept and colour rose (packages/trainer/README.md, runs mA and mB). Once the lookups ask
 *   shapes too, two copies of the readings left reading unlearned (run31) and three brought it back
 *   (x32, x33). Shape is asked beside the lookups only once the checklist names shapes (x27–x31).
 */
import { EveError } from '@evejs/tensor';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** File names of the two files, in the shapes world's folder. */
export const SHAPES_SFT_FILES = { lookups: 'colour-lookups.json', mixture: 'sft-mixture.json' } as const;

/** How many times each reading record appears in the mixture. */
const READING_COPIES = 3;
/** The mixture takes the colour lookups of every this-many-th image. */
const LOOKUP_STRIDE = 2;

interface LlavaRecordLike {
  id: string;
}

async function readJsonArray(file: string): Promise<LlavaRecordLike[]> {
  if (!existsSync(file)) {
    throw new EveError(`${file} is missing: this shapes world was written by an older evejs; regenerate it (eve data shapes, or delete the recipe's data folder)`);
  }
  return JSON.parse(await readFile(file, 'utf8')) as LlavaRecordLike[];
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(value, null, 1)}\n`);
  await rename(tmp, file);
}

/**
 * Writes both files into `dataDir` (atomically) from its conversations.json, lookups.json (the
 * mixed records are those whose ids end in `-colour`, one per image with existence lookups (ids
 * ending in `-existence`), as `lookupRecords` names them) and
 * readings.json; returns how many records the lookups file holds and how many of each kind the
 * mixture holds.
 */
export async function writeShapesSftData(dataDir: string): Promise<{ lookups: number; conversations: number; colourLookups: number; readings: number }> {
  const conversations = await readJsonArray(path.join(dataDir, 'conversations.json'));
  const lookupsFile = path.join(dataDir, 'lookups.json');
  const allLookups = await readJsonArray(lookupsFile);
  const existence = allLookups.filter((r) => r.id.endsWith('-existence'));
  const colour = allLookups.filter((r) => r.id.endsWith('-colour'));
  if (colour.length !== existence.length) {
    throw new EveError(`${lookupsFile} has no mixed colour lookups (ids ending in -colour) beside its existence lookups: this shapes world was written by an older evejs; regenerate it`);
  }
  const readings = await readJsonArray(path.join(dataDir, 'readings.json'));
  await writeJsonAtomic(path.join(dataDir, SHAPES_SFT_FILES.lookups), colour);
  const lookups = colour.filter((_, i) => i % LOOKUP_STRIDE === 0);
  const mixture = [...conversations, ...lookups, ...Array.from({ length: READING_COPIES }, () => readings).flat()];
  await writeJsonAtomic(path.join(dataDir, SHAPES_SFT_FILES.mixture), mixture);
  return { lookups: colour.length, conversations: conversations.length, colourLookups: lookups.length, readings: readings.length * READING_COPIES };
}
