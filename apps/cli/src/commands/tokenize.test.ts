// `eve tokenize` / `eve detokenize` run as child processes, as other tools call them, on the
// Llama-2 files rebuilt from llama-tokenizer-js into a temporary directory.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../..', import.meta.url));
const node = (args: string[]) => run(process.execPath, ['--conditions=@evejs/source', '--import', 'tsx', ...args], { cwd: root });

async function eve(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await node(['apps/cli/src/bin.ts', ...args]);
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

let dir = '';
let results: Record<string, { stdout: string; stderr: string; code: number }> = {};

// Each run starts the whole CLI (seconds under tsx), so all runs happen at once up front.
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eve-tokenize-'));
  const tok = join(dir, 'llama2');
  await node(['tools/tokenizer-fixtures/build-llama2-fixture.ts', tok]);
  rmSync(join(tok, 'tokenizer.json')); // Vicuna-style: only tokenizer.model and the two configs
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'tokenizer.model'), 'not a model at all');
  writeFileSync(join(dir, 'texts.jsonl'), '{"text": "</s>USER:"}\n\n{"text": ""}\n{"text": "🦙"}\n');
  writeFileSync(join(dir, 'ids.jsonl'), '{"ids": [15043, 13, 3186]}\n{"ids": [243, 162, 169, 156]}\n');
  const runs: Record<string, string[]> = {
    text: ['tokenize', '--tokenizer', tok, '--text', 'Hello world'],
    jsonl: ['tokenize', '--tokenizer', tok, '--jsonl', join(dir, 'texts.jsonl'), '--no-bos'],
    ids: ['detokenize', '--tokenizer', tok, '--ids', '1,15043,3186,2', '--skip-special-tokens'],
    idsJsonl: ['detokenize', '--tokenizer', tok, '--jsonl', join(dir, 'ids.jsonl')],
    corrupt: ['tokenize', '--tokenizer', bad, '--text', 'x'],
    badIds: ['detokenize', '--tokenizer', tok, '--ids', '1,x'],
  };
  const out = await Promise.all(Object.values(runs).map((args) => eve(args)));
  results = Object.fromEntries(Object.keys(runs).map((k, i) => [k, out[i]!]));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eve tokenize', () => {
  it('prints the ids of --text with BOS', () => {
    expect(results.text).toMatchObject({ code: 0, stdout: '[1,15043,3186]\n' });
  });

  it('reads {"text"} JSON lines and prints one array per line (--no-bos)', () => {
    expect(results.jsonl).toMatchObject({ code: 0, stdout: '[2,3308,1001,29901]\n[]\n[29871,243,162,169,156]\n' });
  });

  it('fails clearly on a corrupt model', () => {
    expect(results.corrupt!.code).not.toBe(0);
    expect(results.corrupt!.stderr).toMatch(/tokenizer\.model: not a SentencePiece model/);
  });
});

describe('eve detokenize', () => {
  it('prints the text of --ids', () => {
    expect(results.ids).toMatchObject({ code: 0, stdout: 'Hello world\n' });
  });

  it('reads {"ids"} JSON lines and prints one JSON string per line', () => {
    expect(results.idsJsonl).toMatchObject({ code: 0, stdout: '"Hello\\n world"\n"🦙"\n' });
  });

  it('rejects bad ids with a message and a non-zero exit code', () => {
    expect(results.badIds!.code).not.toBe(0);
    expect(results.badIds!.stderr).toMatch(/bad token id "x"/);
  });
});
