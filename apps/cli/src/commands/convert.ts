// `eve convert`: rewrites a checkpoint folder's weights (PyTorch .bin shards, as the official
// EVE releases ship them, or safetensors) as safetensors shards, copying configs and tokenizer
// files; stored bytes are kept as they are (BF16 stays BF16). With --quantize q8_0|q4_0 it writes
// a block-quantised copy instead (Linear weights and embeddings quantised, the rest as stored).
import type { Command } from 'commander';
import { EveError, isQuantFormat, type QuantFormat } from '@evejs/tensor';
import { convertCheckpoint } from '@evejs/model';
import { registerBackends } from '../backends.js';

interface ConvertOptions {
  model: string;
  out: string;
  maxShardSize: string;
  dropTrainingOnly?: boolean;
  quantize?: string;
}

/** `--quantize` values: q8_0 (q8) or q4_0 (q4). */
export function parseQuantFormat(value: string): QuantFormat {
  const f = ({ q8: 'q8_0', q4: 'q4_0' } as Record<string, string>)[value] ?? value;
  if (!isQuantFormat(f)) throw new EveError(`--quantize must be q8_0 (q8) or q4_0 (q4), got ${value}`);
  return f;
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
    .option('--quantize <format>', 'write a block-quantised copy for inference: q8_0 (q8, ~1/4 of f32) or q4_0 (q4, ~1/7); drops training-only tensors')
    .action(async (opts: ConvertOptions) => {
      registerBackends();
      const r = await convertCheckpoint(opts.model, opts.out, {
        maxShardBytes: parseByteSize(opts.maxShardSize),
        dropTrainingOnly: opts.dropTrainingOnly === true,
        ...(opts.quantize !== undefined ? { quantize: parseQuantFormat(opts.quantize) } : {}),
        log: (m) => process.stderr.write(`${m}\n`),
      });
      process.stdout.write(
        `wrote ${r.tensors} tensors (${r.bytes >= 1e9 ? `${(r.bytes / 1e9).toFixed(2)} GB` : `${(r.bytes / 1e6).toFixed(1)} MB`}) to ${opts.out}${r.dropped ? `; dropped ${r.dropped} training-only tensors` : ''}\n`,
      );
    });
}
