/**
 * Encoding speed of @evejs/tokenizer against llama-tokenizer-js (the baseline, same vocabulary),
 * measured in the same process with interleaved rounds; prints tokens/s and the ratio.
 * Correctness is the tests' job; this also counts where the baseline's ids differ from ours.
 *
 * Run: node --conditions=@evejs/source --import tsx packages/tokenizer/bench/tokenize.bench.ts
 */
import llamaTokenizerJs from 'llama-tokenizer-js';
import { llama2Goldens, llama2Tokenizer } from '../test/goldens.js';

const tok = await llama2Tokenizer();
const goldens = llama2Goldens();
const docs = goldens.encode.map((g) => g.text).filter((t) => t.length > 0);
const english =
  'The bus in the image is white and red. The back of the bus features an advertisement, and it is driving down a street crowded with people and other vehicles. ';
const workloads: { name: string; texts: string[] }[] = [
  { name: 'corpus (1011 short strings: code, CJK, emoji, spaces)', texts: docs },
  { name: 'English prose, 200 docs x 2 kB', texts: Array.from({ length: 200 }, (_, i) => `${i} ${english.repeat(13)}`) },
  { name: 'one 100 kB document', texts: [docs.join('\n').repeat(2).slice(0, 100_000)] },
];

const ours = (texts: string[]) => {
  let n = 0;
  for (const t of texts) n += tok.bpe.encode(t).length;
  return n;
};
const baseline = (texts: string[]) => {
  let n = 0;
  for (const t of texts) n += llamaTokenizerJs.encode(t, false, true).length;
  return n;
};

function time(fn: () => number): { ms: number; tokens: number } {
  const t0 = performance.now();
  const tokens = fn();
  return { ms: performance.now() - t0, tokens };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

process.stdout.write(`node ${process.version}; rounds interleaved, median of 7 after 2 warm-ups\n\n`);
process.stdout.write('| workload | tokens | @evejs/tokenizer tok/s | llama-tokenizer-js tok/s | ratio |\n|---|---|---|---|---|\n');
for (const w of workloads) {
  const a: number[] = [];
  const b: number[] = [];
  let tokens = 0;
  for (let round = 0; round < 9; round++) {
    const ra = time(() => ours(w.texts));
    const rb = time(() => baseline(w.texts));
    tokens = ra.tokens;
    if (round >= 2) {
      a.push(ra.ms);
      b.push(rb.ms);
    }
  }
  const oursRate = tokens / (median(a) / 1000);
  const baseRate = tokens / (median(b) / 1000);
  process.stdout.write(
    `| ${w.name} | ${tokens} | ${Math.round(oursRate).toLocaleString('en')} | ${Math.round(baseRate).toLocaleString('en')} | ${(oursRate / baseRate).toFixed(2)}x |\n`,
  );
}

// Where the baseline disagrees with python-sentencepiece (our ids equal the goldens; see tests).
const differ = goldens.encode.filter((g) => g.text.length > 0 && JSON.stringify(llamaTokenizerJs.encode(g.text, false, true)) !== JSON.stringify(g.sp));
process.stdout.write(`\nllama-tokenizer-js differs from sentencepiece on ${differ.length} of ${goldens.encode.length} golden strings`);
process.stdout.write(differ.length > 0 ? ` (e.g. ${JSON.stringify(differ[0]!.text.slice(0, 40))})\n` : '\n');
