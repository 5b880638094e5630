/**
 * Writes the shapes world to disk in the layout EVE's scripts and `eve train` read:
 *
 *   <out>/images/*.png            training and held-out images
 *   <out>/captions.json           LLaVA-format caption records (stage 1 and 2)
 *   <out>/conversations.json      LLaVA-format multi-turn QA records (stage 3, SFT)
 *   <out>/checklists.json         LLaVA-format colour checklists ("Which colors are in the image?"),
 *                                 the one-step form of the colour lookup
 *   <out>/lookups.json            LLaVA-format conversations of questions a colour lookup answers
 *                                 (existence by colour; positions and shapes of colour-unique
 *                                 objects; existence and shape mixed)
 *   <out>/readings.json           LLaVA-format reading questions alone, one per image with a word
 *   <out>/questions.jsonl         held-out questions with answers (the shapes benchmark)
 *   <out>/scenes.jsonl            every scene's description (teacher features are recomputed from it)
 *   <out>/dataset.json            the manifest: seed, counts, options, format version
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import {
  benchmarkQuestions,
  captionRecord,
  checklistRecord,
  conversationRecord,
  lookupRecords,
  readingRecord,
  type ShapesOptions,
  shapesSample,
  type ShapesSample,
} from './shapes-world.js';

export interface WriteShapesOptions extends ShapesOptions {
  seed: number;
  /** Training images. */
  count: number;
  /** Held-out images for questions.jsonl (default max(20, count / 10)). */
  evalCount?: number;
  /** Called after each image with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface ShapesManifest {
  format: 'evejs-shapes/1';
  seed: number;
  count: number;
  evalCount: number;
  options: ShapesOptions;
  files: { images: string; captions: string; conversations: string; checklists: string; lookups: string; readings: string; questions: string; scenes: string };
}

async function writePng(file: string, s: ShapesSample): Promise<void> {
  const { rgb, width, height } = s.rendered;
  await sharp(rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 9 }).toFile(file);
}

async function writeJsonAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Generates and writes a shapes dataset; returns its manifest. */
export async function writeShapesDataset(outDir: string, opts: WriteShapesOptions): Promise<ShapesManifest> {
  const { seed, count, onProgress, evalCount: evalCountOpt, ...sampleOpts } = opts;
  const evalCount = evalCountOpt ?? Math.max(20, Math.floor(count / 10));
  const imagesDir = path.join(outDir, 'images');
  await mkdir(imagesDir, { recursive: true });
  const captions: unknown[] = [];
  const conversations: unknown[] = [];
  const checklists: unknown[] = [];
  const lookups: unknown[] = [];
  const readings: unknown[] = [];
  const questionLines: string[] = [];
  const sceneLines: string[] = [];
  const total = count + evalCount;
  let done = 0;
  for (const [split, n] of [['train', count], ['eval', evalCount]] as const) {
    for (let i = 0; i < n; i++) {
      const s = shapesSample(seed, split, i, sampleOpts);
      await writePng(path.join(imagesDir, s.image), s);
      sceneLines.push(JSON.stringify({ id: s.id, image: s.image, split, index: i, scene: s.scene }));
      if (split === 'train') {
        captions.push(captionRecord(s));
        conversations.push(conversationRecord(s));
        checklists.push(checklistRecord(s));
        lookups.push(...lookupRecords(s));
        const reading = readingRecord(s);
        if (reading) readings.push(reading);
      } else {
        for (const q of benchmarkQuestions(s)) questionLines.push(JSON.stringify(q));
      }
      onProgress?.(++done, total);
    }
  }
  const files = {
    images: 'images',
    captions: 'captions.json',
    conversations: 'conversations.json',
    checklists: 'checklists.json',
    lookups: 'lookups.json',
    readings: 'readings.json',
    questions: 'questions.jsonl',
    scenes: 'scenes.jsonl',
  };
  const recordFiles = { captions, conversations, checklists, lookups, readings };
  for (const [name, records] of Object.entries(recordFiles) as [keyof typeof recordFiles, unknown[]][]) {
    await writeJsonAtomic(path.join(outDir, files[name]), `${JSON.stringify(records, null, 1)}\n`);
  }
  await writeJsonAtomic(path.join(outDir, files.questions), `${questionLines.join('\n')}\n`);
  await writeJsonAtomic(path.join(outDir, files.scenes), `${sceneLines.join('\n')}\n`);
  const manifest: ShapesManifest = { format: 'evejs-shapes/1', seed, count, evalCount, options: sampleOpts, files };
  await writeJsonAtomic(path.join(outDir, 'dataset.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
