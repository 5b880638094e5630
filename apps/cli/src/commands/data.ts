// `eve data shapes`: writes the procedural shapes world to disk in the LLaVA layout.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { writeShapesDataset } from '@evejs/datasets';
import { ProgressBar } from '../progress.js';

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function positiveInt(v: string): number {
  const n = nonNegativeInt(v);
  if (n === 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function registerDataCommand(program: Command): void {
  const data = program.command('data').description('make or inspect training and evaluation data');
  data
    .command('shapes')
    .description(
      'write the shapes world: images, captions.json (pre-training), conversations.json (SFT), ' +
        'checklists.json and lookups.json (colour-lookup fine-tuning), readings.json (reading questions alone), ' +
        'questions.jsonl (held-out benchmark) and scenes.jsonl, reproducibly from a seed',
    )
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .option('--seed <n>', 'random seed', nonNegativeInt, 0)
    .option('--count <k>', 'number of training images', nonNegativeInt, 1000)
    .option('--eval-count <k>', 'number of held-out images (default max(20, count/10))', nonNegativeInt)
    .option('--min-side <px>', 'smallest image side', nonNegativeInt, 64)
    .option('--max-side <px>', 'largest image side', nonNegativeInt, 320)
    .addOption(
      new Option('--layout <kind>', 'free: objects anywhere; cells: one object and one letter per cell of a model\'s token grid (--grid; the built-in model\'s world is --layout cells --grid 4)')
        .choices(['cells', 'free'])
        .default('free'),
    )
    .option('--grid <n>', "with --layout cells: cells along the image's long side, the image tokens there of the model that will read it (its canvas / 28 px; default 8, the recipe's default 224-px canvas)", positiveInt)
    .action(async (opts: { out: string; seed: number; count: number; evalCount?: number; minSide: number; maxSide: number; layout: 'cells' | 'free'; grid?: number }) => {
      if (opts.grid !== undefined && opts.layout !== 'cells') throw new InvalidArgumentError('--grid only applies to --layout cells');
      const bar = new ProgressBar({ label: 'shapes', total: opts.count + (opts.evalCount ?? Math.max(20, Math.floor(opts.count / 10))), unit: 'img' });
      const manifest = await writeShapesDataset(opts.out, {
        seed: opts.seed,
        count: opts.count,
        ...(opts.evalCount !== undefined ? { evalCount: opts.evalCount } : {}),
        minSide: opts.minSide,
        maxSide: opts.maxSide,
        layout: opts.layout,
        // The teacher's CLIP-scale geometry is half the canvas: 14-px cells, as many as the model's 28-px tokens.
        ...(opts.grid !== undefined ? { tokenGrid: { imageSizeClip: opts.grid * 14, patchStrideClip: 14 } } : {}),
        onProgress: (done) => bar.update(done),
      });
      process.stdout.write(`${JSON.stringify({ out: opts.out, ...manifest })}\n`);
    });
}
