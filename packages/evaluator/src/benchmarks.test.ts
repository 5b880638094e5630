// Each benchmark's score on fixtures in the official formats, compared with the numbers the
// official scorers (the EVE release's scripts, GQA's eval.py, MME's calculation.py) printed for
// the same files — see tools/eval-fixtures/README.md.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readAnswers } from './answers.js';
import { getBenchmark } from './benchmark-registry.js';

const fx = (...p: string[]) => path.join(fileURLToPath(new URL('../test/fixtures/', import.meta.url)), ...p);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const expected = JSON.parse(readFileSync(fx('expected.json'), 'utf8')) as Record<string, any>;
const tmp = () => mkdtempSync(path.join(tmpdir(), 'evejs-eval-'));

async function score(name: string, annotations: string, extra: Record<string, string> = {}) {
  const predictions = await readAnswers(fx(name === 'scienceqa' ? 'scienceqa' : name, 'answers.jsonl'));
  return getBenchmark(name).score({ annotations, predictions, ...extra });
}

describe('official-script agreement', () => {
  it('TextVQA accuracy = eval_textvqa.py', async () => {
    const r = await score('textvqa', fx('textvqa', 'TextVQA_0.5.1_val.json'));
    expect(r.headline).toBe(expected.textvqa.accuracy);
    expect(r.counts).toMatchObject({ missing: 0, extra: 0 });
  });

  it('VQAv2 submission = convert_vqav2_for_submission.py (missing ids → "")', async () => {
    const file = path.join(tmp(), 'vqav2.json');
    const r = await score('vqav2', fx('vqav2', 'llava_vqav2_mscoco_test2015.jsonl'), { submissionFile: file });
    expect(r.scored).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(expected.vqav2Submission);
    expect(r.counts).toMatchObject({ questions: 6, missing: 2 });
  });

  it('VizWiz submission = convert_vizwiz_for_submission.py', async () => {
    const file = path.join(tmp(), 'vizwiz.json');
    await score('vizwiz', fx('vizwiz', 'llava_test.jsonl'), { submissionFile: file });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(expected.vizwizSubmission);
  });

  it('POPE per split = eval_pope.py (answers interleaved across splits)', async () => {
    const r = await score('pope', fx('pope'));
    for (const [split, m] of Object.entries(expected.pope as Record<string, Record<string, number>>)) {
      expect(r.breakdown[split]).toEqual(m);
    }
    const f1s = Object.values(expected.pope as Record<string, { f1: number }>).map((m) => m.f1);
    expect(r.headline).toBeCloseTo((f1s.reduce((a, b) => a + b) / 3) * 100, 12);
  });

  it('MME subtasks, perception and cognition = convert_answer_to_mme.py + calculation.py', async () => {
    const r = await score('mme', fx('mme', 'MME_Benchmark_release_version'));
    expect(r.metrics.perception).toBe(expected.mme.perception);
    expect(r.metrics.cognition).toBe(expected.mme.cognition);
    for (const [task, s] of Object.entries(expected.mme.subtasks as Record<string, number>)) expect(r.breakdown[task]!.score).toBe(s);
  });

  it('ScienceQA accuracy and IMG accuracy = eval_science_qa.py', async () => {
    const r = await score('scienceqa', fx('scienceqa'));
    expect(r.metrics.accuracy).toBe(expected.scienceqa.accuracy);
    expect(r.headline).toBe(expected.scienceqa.imgAccuracy);
    expect(r.counts.missing).toBe(1);
  });

  it('GQA accuracy, binary, open = eval.py (printed to 2 decimals)', async () => {
    const r = await score('gqa', fx('gqa', 'testdev_balanced_questions.json'));
    expect(r.headline!.toFixed(2)).toBe(expected.gqa.accuracy.toFixed(2));
    expect(r.metrics.binary!.toFixed(2)).toBe(expected.gqa.binary.toFixed(2));
    expect(r.metrics.open!.toFixed(2)).toBe(expected.gqa.open.toFixed(2));
    expect(r.counts.extra).toBe(1); // the unbalanced question's answer
  });

  it('SEED image accuracy and per-type = convert_seed_for_submission.py', async () => {
    const r = await score('seed', fx('seed', 'SEED-Bench.json'));
    expect(r.headline!.toFixed(2)).toBe(expected.seed.imageAccuracy.toFixed(2));
    for (const [t, acc] of Object.entries(expected.seed.perType as Record<string, number>)) {
      if (t === 'Action Recognition') continue; // a video type: not part of SEED-IMG
      expect(r.breakdown.accuracyByType![t]!.toFixed(2)).toBe(acc.toFixed(2));
    }
  });

  it('shapes by type (m4c normaliser) and existence split (eval_pope)', async () => {
    const r = await score('shapes', fx('shapes', 'questions.jsonl'));
    expect(r.headline).toBe(expected.shapes.accuracy);
    expect(r.breakdown.accuracyByType).toEqual(expected.shapes.byType);
    for (const [k, v] of Object.entries(expected.shapes.existence as Record<string, number>)) expect(r.breakdown.existence![k]).toBe(v);
  });
});

describe('mismatches are errors or counts, never silent', () => {
  it('an unknown benchmark names the known ones', () => {
    expect(() => getBenchmark('nope')).toThrow(/unknown benchmark "nope"; known: vqav2, gqa/);
  });

  it('POPE refuses a split with a missing answer (labels pair by order)', async () => {
    const predictions = (await readAnswers(fx('pope', 'answers.jsonl'))).slice(1);
    await expect(getBenchmark('pope').score({ annotations: fx('pope'), predictions })).rejects.toThrow(/answers for 6 labels/);
  });

  it('MME refuses answers that match no ground-truth question', async () => {
    const predictions = await readAnswers(fx('mme', 'answers.jsonl'));
    predictions[0] = { ...predictions[0]!, prompt: 'Something else?' };
    await expect(getBenchmark('mme').score({ annotations: fx('mme', 'MME_Benchmark_release_version'), predictions })).rejects.toThrow(/match no ground-truth/);
  });

  it('a malformed answers line is an error with its line number', async () => {
    const dir = tmp();
    const f = path.join(dir, 'a.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(f, '{"question_id": 1, "text": "a", "prompt": ""}\n{"question_id": 2, "te\n{"question_id": 3, "text": "c", "prompt": ""}\n');
    await expect(readAnswers(f)).rejects.toThrow(/line 2 is not valid JSON/);
  });

  it('VizWiz refuses a submission with an unanswered question', async () => {
    const predictions = (await readAnswers(fx('vizwiz', 'answers.jsonl'))).slice(1);
    await expect(getBenchmark('vizwiz').score({ annotations: fx('vizwiz', 'llava_test.jsonl'), predictions, submissionFile: path.join(tmp(), 'x.json') })).rejects.toThrow(/no answer/);
  });
});
