// Loads the golden fixtures written by tools/image-fixtures/generate.py (Pillow 9.4 + numpy).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface Goldens {
  pillow: string;
  decode: Record<string, { mode: string; width: number; height: number; sha256: string }>;
  resize: { input: string; mode: 'L' | 'RGB'; width: number; height: number; sha256: string; bytes?: string }[];
  preprocess: { input: string; image_size: number; basehw: number[]; needhw: number[]; sha256: string; teacher_sha256: string; sum: number }[];
}

export const goldens = JSON.parse(readFileSync(`${FIXTURES}goldens.json`, 'utf8')) as Goldens;

export const input = (name: string): string => `${FIXTURES}inputs/${name}`;

export function sha256(data: ArrayBufferView): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/** Count of differing bytes and the largest difference. */
export function byteDiff(a: Uint8Array, b: Uint8Array): { differing: number; max: number } {
  let differing = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (d) differing++;
    if (d > max) max = d;
  }
  return { differing, max };
}
