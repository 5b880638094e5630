/**
 * Test helper: a small LLaVA-style dataset on disk (PNG images of several aspect ratios, caption
 * records for the plain template, conversation records — some text-only — for v1), made from a
 * seeded generator so the TypeScript tests and the PyTorch reference read the same files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '@evejs/tensor';

const WORDS = ['a', 'red', 'blue', 'circle', 'square', 'on', 'the', 'left', 'right', 'big', 'small', 'green'];
const SIZES: [number, number][] = [
  [40, 40],
  [60, 30],
  [30, 50],
  [50, 45],
];

function sentence(rng: Rng, n: number): string {
  return Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]!).join(' ');
}

/** Writes `count` samples to `dir`; returns the paths of captions.json and conversations.json. */
export async function writeTinyDataset(dir: string, count: number, seed = 0): Promise<{ captions: string; conversations: string; images: string }> {
  const rng = new Rng(seed);
  const images = path.join(dir, 'images');
  await mkdir(images, { recursive: true });
  const captions: unknown[] = [];
  const conversations: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const [w, h] = SIZES[i % SIZES.length]!;
    const rgb = new Uint8Array(w * h * 3);
    const base = [rng.int(256), rng.int(256), rng.int(256)];
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = (base[c]! + ((p % w) * 7 + Math.floor(p / w) * 3 * (c + 1))) % 256;
    const file = `img${i}.png`;
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path.join(images, file));
    captions.push({ id: `c${i}`, image: file, conversations: [{ from: 'human', value: '<image>\nDescribe.' }, { from: 'gpt', value: sentence(rng, 3 + rng.int(4)) }] });
    if (i % 4 === 3) {
      conversations.push({ id: `t${i}`, conversations: [{ from: 'human', value: `what is ${sentence(rng, 2)}?` }, { from: 'gpt', value: sentence(rng, 3) }] });
    } else {
      conversations.push({
        id: `v${i}`,
        image: file,
        conversations: [
          { from: 'human', value: `<image>\nwhere is the ${sentence(rng, 1)}?` },
          { from: 'gpt', value: sentence(rng, 2) },
          { from: 'human', value: `and the ${sentence(rng, 1)}?` },
          { from: 'gpt', value: sentence(rng, 2) },
        ],
      });
    }
  }
  const cap = path.join(dir, 'captions.json');
  const conv = path.join(dir, 'conversations.json');
  await writeFile(cap, JSON.stringify(captions, null, 1));
  await writeFile(conv, JSON.stringify(conversations, null, 1));
  return { captions: cap, conversations: conv, images };
}
