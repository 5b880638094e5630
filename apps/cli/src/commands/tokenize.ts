// `eve tokenize`: text to Llama token ids with a checkpoint's tokenizer (tokenizer.model or
// tokenizer.json plus its config files). Prints one JSON array of ids per input.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { EveError } from '@evejs/tensor';
import { loadTokenizer, type EncodeMode } from '@evejs/tokenizer';

interface TokenizeOptions {
  tokenizer: string;
  text?: string;
  jsonl?: string;
  bos: boolean;
  eos?: boolean;
  mode?: EncodeMode;
}

const MODES: readonly EncodeMode[] = ['hf', 'hf-legacy', 'sentencepiece'];

/** Reads a JSON-lines file, skipping blank lines; `line` numbers count from 1. */
export async function* readJsonLines(file: string): AsyncGenerator<{ value: unknown; line: number }> {
  const stream = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new EveError(`cannot read ${file}: ${err.message}`)));
  });
  await opened;
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield { value: JSON.parse(text) as unknown, line };
    } catch {
      throw new EveError(`${file}:${line}: not valid JSON`);
    }
  }
}

export function registerTokenizeCommand(program: Command): void {
  program
    .command('tokenize')
    .description('print the token ids of a text as a JSON array (BOS added unless --no-bos)')
    .requiredOption('--tokenizer <dir>', 'directory with tokenizer.model or tokenizer.json (+ tokenizer_config.json, special_tokens_map.json)')
    .option('--text <string>', 'the text to tokenize')
    .option('--jsonl <file>', 'a file of {"text": ...} lines; prints one JSON array per line')
    .option('--no-bos', 'do not prepend the BOS id')
    .option('--eos', 'append the EOS id')
    .option('--mode <mode>', `special-token handling: ${MODES.join(', ')} (default: from tokenizer_config.json's legacy)`)
    .action(async (opts: TokenizeOptions) => {
      if ((opts.text === undefined) === (opts.jsonl === undefined)) throw new EveError('give exactly one of --text or --jsonl');
      if (opts.mode !== undefined && !MODES.includes(opts.mode)) throw new EveError(`unknown --mode ${opts.mode} (use ${MODES.join(', ')})`);
      const tok = await loadTokenizer(opts.tokenizer);
      const encode = (text: string) =>
        JSON.stringify(tok.encode(text, { addBos: opts.bos, addEos: opts.eos ?? false, ...(opts.mode ? { mode: opts.mode } : {}) }));
      if (opts.text !== undefined) {
        process.stdout.write(`${encode(opts.text)}\n`);
        return;
      }
      for await (const { value, line } of readJsonLines(opts.jsonl!)) {
        const text = (value as { text?: unknown } | null)?.text;
        if (typeof text !== 'string') throw new EveError(`${opts.jsonl}:${line}: expected {"text": "..."}`);
        process.stdout.write(`${encode(text)}\n`);
      }
    });
}
