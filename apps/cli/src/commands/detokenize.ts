// `eve detokenize`: Llama token ids back to text with a checkpoint's tokenizer, as transformers
// 4.31's slow tokenizer decodes them (special tokens written out unless --skip-special-tokens).
import type { Command } from 'commander';
import { EveError } from '@evejs/tensor';
import { loadTokenizer } from '@evejs/tokenizer';
import { readJsonLines } from './tokenize.js';

interface DetokenizeOptions {
  tokenizer: string;
  ids?: string;
  jsonl?: string;
  skipSpecialTokens?: boolean;
  sentencepiece?: boolean;
}

/** Parses `1,2,3` (or a JSON array) into integer ids. */
export function parseIdList(text: string): number[] {
  const trimmed = text.trim();
  const parts = trimmed.startsWith('[') ? trimmed.slice(1, trimmed.endsWith(']') ? -1 : undefined).split(',') : trimmed.split(',');
  if (parts.length === 1 && parts[0]!.trim() === '') return [];
  return parts.map((p) => {
    const s = p.trim();
    if (!/^-?\d+$/.test(s)) throw new EveError(`bad token id ${JSON.stringify(s)} in --ids (expected integers separated by commas)`);
    return Number(s);
  });
}

export function registerDetokenizeCommand(program: Command): void {
  program
    .command('detokenize')
    .description('print the text of a list of token ids')
    .requiredOption('--tokenizer <dir>', 'directory with tokenizer.model or tokenizer.json (+ config files)')
    .option('--ids <list>', 'comma-separated ids, e.g. 1,15043,3186')
    .option('--jsonl <file>', 'a file of {"ids": [...]} lines; prints one JSON string per line')
    .option('--skip-special-tokens', 'drop BOS/EOS/UNK/PAD (as EVE does when answering)')
    .option('--sentencepiece', "decode as sentencepiece's DecodeIds (control tokens invisible)")
    .action(async (opts: DetokenizeOptions) => {
      if ((opts.ids === undefined) === (opts.jsonl === undefined)) throw new EveError('give exactly one of --ids or --jsonl');
      const tok = await loadTokenizer(opts.tokenizer);
      const decode = (ids: number[]) =>
        tok.decode(ids, { skipSpecialTokens: opts.skipSpecialTokens ?? false, mode: opts.sentencepiece ? 'sentencepiece' : 'hf' });
      if (opts.ids !== undefined) {
        process.stdout.write(`${decode(parseIdList(opts.ids))}\n`);
        return;
      }
      for await (const { value, line } of readJsonLines(opts.jsonl!)) {
        const ids = (value as { ids?: unknown } | null)?.ids;
        if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'number')) {
          throw new EveError(`${opts.jsonl}:${line}: expected {"ids": [integers]}`);
        }
        try {
          process.stdout.write(`${JSON.stringify(decode(ids as number[]))}\n`);
        } catch (err) {
          if (err instanceof EveError) throw new EveError(`${opts.jsonl}:${line}: ${err.message}`);
          throw err;
        }
      }
    });
}
