// `eve convert`: rewrites a checkpoint folder's weights (PyTorch .bin shards, as the official
// EVE releases ship them, or safetensors) as safetensors shards, copying configs and tokenizer
// files; stored bytes are kept as they are (BF16 stays BF16).
import type { Command } from 'commander';
import { EveError } from '@evejs/tensor';
import { convertCheckpoint } from '@evejs/model';
import { registerBackends } from '../backends.js';

interface ConvertOptions {
  model: string;
  out: string;
  maxShardSize: string;
  dropTrainingOnly?: boolean;
}

/** "5GB", "500MB", "2e9" → bytes (decimal units, as transformers). */
export function parseByteSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*(kb|mb|gb|b)?$/i.exec(value.trim());
  if (!m) throw new EveError(`--max-shard-size: cannot read ${value} (e.g. 5GB, 500MB)`);
  const unit = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9 }[(m[2] ?? 'b').toLowerCase() as 'b']!;
  return Math.floor(Number(m[1]) * unit);
}

export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('convert a checkpoint folder (PyTorch .bin or safetensors) to safetensors shards')
    .requiredOption('--model <dir>', 'source checkpoint folder')
    .requiredOption('--out <dir>', 'output folder')
    .option('--max-shard-size <size>', 'largest shard (decimal units)', '5GB')
    .option('--drop-training-only', 'leave out the CLIP teacher, the patch aligning layer and rotary inv_freq buffers')
    .action(async (opts: ConvertOptions) => {
      registerBackends();
      const r = await convertCheckpoint(opts.model, opts.out, {
        maxShardBytes: parseByteSize(opts.maxShardSize),
        dropTrainingOnly: opts.dropTrainingOnly === true,
        log: (m) => process.stderr.write(`${m}\n`),
      });
      process.stdout.write(
        `wrote ${r.tensors} tensors (${(r.bytes / 1e9).toFixed(2)} GB) to ${opts.out}${r.dropped ? `; dropped ${r.dropped} training-only tensors` : ''}\n`,
      );
    });
}
