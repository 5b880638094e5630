import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamJsonArray } from './json-array-stream.js';
import { BadRecordError, readLlavaDataset, type DatasetRecord } from './llava-dataset.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'llava-'));
  await writeFile(path.join(dir, 'a.png'), 'not really a png; only existence is checked');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const good = (id: string, image?: string) => ({
  id,
  ...(image ? { image } : {}),
  conversations: [
    { from: 'human', value: `${image ? '<image>\n' : ''}What is "this" [really], {ok}?` },
    { from: 'gpt', value: 'A test, with \\"escapes\\" and ünïcødé 猫 🐈' },
  ],
});

describe('streamJsonArray', () => {
  it('yields each element, whatever strings contain, across chunk boundaries', async () => {
    const values = Array.from({ length: 3000 }, (_, i) => ({ i, s: `]},{"x":[${i}]\\"`, u: '猫🐈'.repeat(i % 7), n: [1, [2, { a: i }]] }));
    const file = path.join(dir, 'big.json');
    await writeFile(file, JSON.stringify(values, null, 1)); // > 1 MiB: several chunks
    const got = await collect(streamJsonArray(file));
    expect(got.map((g) => g.value)).toEqual(values);
  });

  it('reads JSON Lines, reporting unparsable lines by index', async () => {
    const file = path.join(dir, 'x.jsonl');
    await writeFile(file, '{"a":1}\n\nnot json\n{"a":2}\n');
    const got = await collect(streamJsonArray(file));
    expect(got[0]).toEqual({ index: 0, value: { a: 1 } });
    expect(got[1]!.index).toBe(1);
    expect(got[1]!.error).toBeDefined();
    expect(got[2]).toEqual({ index: 2, value: { a: 2 } });
  });

  it('rejects a truncated array and a non-array file clearly', async () => {
    const t = path.join(dir, 'trunc.json');
    await writeFile(t, '[{"a":1},{"a":');
    await expect(collect(streamJsonArray(t))).rejects.toThrow(/truncated.*not closed/);
    const o = path.join(dir, 'obj.json');
    await writeFile(o, '{"a":1}');
    await expect(collect(streamJsonArray(o))).rejects.toThrow(/expected a JSON array/);
  });
});

describe('readLlavaDataset', () => {
  it('resolves images against the folder and keeps text-only records', async () => {
    const file = path.join(dir, 'ok.json');
    await writeFile(file, JSON.stringify([good('1', 'a.png'), good('2')]));
    const recs = await collect(readLlavaDataset(file));
    expect(recs.map((r: DatasetRecord) => [r.index, r.id, r.imagePath])).toEqual([
      [0, '1', path.join(dir, 'a.png')],
      [1, '2', null],
    ]);
  });

  const bad = [
    { rec: { conversations: [] }, reason: /missing "id"/ },
    { rec: { id: 'x', image: 'a.png', conversations: [{ from: 'human', value: 'no image token' }, { from: 'gpt', value: 'a' }] }, reason: /no <image>/ },
    { rec: { id: 'y', conversations: [{ from: 'human', value: 'q' }, { from: 'bot', value: 'a' }] }, reason: /conversations\[1\]\.from is "bot"/ },
    { rec: { id: 'z', image: 'missing.png', conversations: [{ from: 'human', value: '<image>\nq' }, { from: 'gpt', value: 'a' }] }, reason: /image not found/ },
  ];

  it('fails on the first bad record by default, naming its index and id', async () => {
    for (const { rec, reason } of bad) {
      const file = path.join(dir, 'bad.json');
      await writeFile(file, JSON.stringify([good('ok'), rec]));
      const err = await collect(readLlavaDataset(file)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRecordError);
      expect((err as BadRecordError).index).toBe(1);
      expect((err as Error).message).toMatch(reason);
    }
  });

  it('with onBadRecord "skip", reports every skipped record and counts it', async () => {
    const file = path.join(dir, 'mixed.json');
    await writeFile(file, JSON.stringify([good('a'), ...bad.map((b) => b.rec), good('b')]));
    const reported: BadRecordError[] = [];
    const stats = { read: 0, skipped: 0 };
    const recs = await collect(readLlavaDataset(file, { onBadRecord: 'skip', report: (e) => reported.push(e) }, stats));
    expect(recs.map((r) => r.id)).toEqual(['a', 'b']);
    expect(reported.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(stats).toEqual({ read: 2, skipped: 4 });
  });
});
