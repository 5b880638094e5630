/**
 * `--recipe shapes` end to end at a toy budget (40 images, one minute): its five phases (three
 * stages, SFT in three parts) from a fresh small EVE with timing probes, then the blind baseline
 * with `stepsLike` pointing at that run — it must follow the same schedule (planned and completed steps per stage) on flat images;
 * and a fixed schedule given as step counts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCpuBackend } from '@evejs/tensor';
import { recipeStageSteps, runShapesRecipe, SHAPES_RECIPE_PHASES, shapesProcessorConfig } from './shapes-recipe.js';
import { SHAPES_SFT_FILES } from './shapes-sft-data.js';

let dir = '';
beforeAll(async () => {
  registerCpuBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'eve-recipe-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('shapes recipe', () => {
  it('trains its five phases in budget, and a blind baseline with exactly the same schedule', async () => {
    const main = await runShapesRecipe({ outDir: path.join(dir, 'main'), minutes: 1, count: 40, backend: 'cpu' });
    expect(main.stages.map((s) => s.phase)).toEqual([...SHAPES_RECIPE_PHASES]);
    expect(main.stages.map((s) => s.stage)).toEqual(['prealign', 'pretrain', 'sft', 'sft', 'sft']);
    for (const s of main.stages) {
      expect(s.steps).toBeGreaterThanOrEqual(3);
      expect(Number.isFinite(s.lastLoss)).toBe(true);
    }
    expect(existsSync(path.join(main.checkpoint, 'model.safetensors'))).toBe(true);

    const blind = await runShapesRecipe({ outDir: path.join(dir, 'blind'), minutes: 1, count: 40, blind: true, stepsLike: path.join(dir, 'main'), backend: 'cpu' });
    expect(blind.stages.map((s) => s.steps)).toEqual(main.stages.map((s) => s.steps));
    for (const phase of SHAPES_RECIPE_PHASES) {
      expect(await recipeStageSteps(path.join(dir, 'blind'), phase)).toEqual(await recipeStageSteps(path.join(dir, 'main'), phase));
    }
    // The last phase fine-tuned on the conversations with the colour lookups (existence and shape) and reading questions added.
    const data = path.join(dir, 'main', 'data');
    const records = async (f: string) => JSON.parse(await readFile(path.join(data, f), 'utf8')) as { id: string }[];
    const mixture = await records(SHAPES_SFT_FILES.mixture);
    const readings = await records('readings.json');
    const lookups = await records('lookups.json');
    const existence = lookups.filter((r) => r.id.endsWith('-existence'));
    const colourLookups = lookups.filter((r) => r.id.endsWith('-colour'));
    expect(readings.length).toBeGreaterThan(0);
    expect(existence.length).toBeGreaterThan(0);
    expect(await records(SHAPES_SFT_FILES.lookups)).toEqual(colourLookups);
    expect(colourLookups.map((r) => r.id.replace(/-colour$/, ''))).toEqual(existence.map((r) => r.id.replace(/-existence$/, '')));
    expect(mixture.length).toBe((await records('conversations.json')).length + Math.ceil(colourLookups.length / 2) + 3 * readings.length);
    expect(mixture.filter((r) => r.id.endsWith('-colour'))).toEqual(colourLookups.filter((_, i) => i % 2 === 0));
    expect(mixture.some((r) => r.id.endsWith('-existence'))).toBe(false);
    expect(mixture.filter((r) => r.id.endsWith('-reading')).length).toBe(3 * readings.length);
    // The blind run trained on flat images and had no alignment teacher.
    const metrics = (await readFile(path.join(dir, 'blind', 'prealign', 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { align_loss: number });
    expect(metrics.every((m) => m.align_loss === 0)).toBe(true);
    await expect(recipeStageSteps(path.join(dir, 'nowhere'), 'sft')).rejects.toThrow(/no finished stage to copy the schedule from/);
  }, 600_000);

  it('runs a fixed schedule with stageSteps, and refuses a malformed one before doing anything', async () => {
    const fixed = await runShapesRecipe({ outDir: path.join(dir, 'fixed'), count: 40, stageSteps: [2, 3, 4, 2, 3], backend: 'cpu' });
    expect(fixed.stages.map((s) => s.steps)).toEqual([2, 3, 4, 2, 3]);
    expect(await recipeStageSteps(path.join(dir, 'fixed'), 'pretrain')).toEqual({ planned: 3, done: 3 });
    expect(await recipeStageSteps(path.join(dir, 'fixed'), 'sft-checklist')).toEqual({ planned: 4, done: 4 });
    expect(await recipeStageSteps(path.join(dir, 'fixed'), 'sft-lookups')).toEqual({ planned: 2, done: 2 });
    // The recipe's three-stage schedules of before the fine-tuning phases are refused, naming the five phases.
    await expect(runShapesRecipe({ outDir: path.join(dir, 'bad'), stageSteps: [2, 3, 2] as unknown as [number, number, number, number, number] })).rejects.toThrow(
      /expected 5 positive integers \(prealign, pretrain, sft-checklist, sft-lookups, sft\)/,
    );
    await expect(runShapesRecipe({ outDir: path.join(dir, 'bad'), stageSteps: [2, 3, 4, 2, 3], stepsLike: path.join(dir, 'fixed') })).rejects.toThrow(/not both/);
    expect(existsSync(path.join(dir, 'bad'))).toBe(false);
  }, 300_000);

  it('trains a smaller canvas on a world laid out on its token grid, and refuses that world for another canvas', async () => {
    const out = path.join(dir, 'cells');
    const r = await runShapesRecipe({ outDir: out, count: 40, canvas: 112, layout: 'cells', stageSteps: [2, 2, 2, 2, 2], backend: 'cpu' });
    expect(r.stages.map((s) => s.steps)).toEqual([2, 2, 2, 2, 2]);
    const processor = JSON.parse(await readFile(path.join(out, 'init', 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
    expect(processor).toEqual(shapesProcessorConfig(112));
    expect([processor.image_size, processor.image_size_clip]).toEqual([112, 56]);
    const manifest = JSON.parse(await readFile(path.join(out, 'data', 'dataset.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(manifest.options).toMatchObject({ layout: 'cells', tokenGrid: { imageSizeClip: 56, patchStrideClip: 14 } });
    // The default 224-px canvas has 8 tokens along the long side; this world's cells are 4.
    await expect(runShapesRecipe({ outDir: out, stageSteps: [2, 2, 2, 2, 2], backend: 'cpu' })).rejects.toThrow(/4 cells along the long side, but a 224-px canvas has 8 tokens there/);
    expect(() => shapesProcessorConfig(100)).toThrow(/multiple of 28/);
  }, 300_000);
});
