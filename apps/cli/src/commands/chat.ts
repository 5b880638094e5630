// `eve chat`: talk with EVE about an image. With a question it prints the streamed answer and
// exits; without one it reads questions from stdin (multi-turn: earlier turns stay in the
// prompt). The prompt is the conversation template rendered and tokenised as EVE's runners do
// (`tokenizer_image_token`); the answer stops at EOS or `</s>`. The KV cache is kept between
// turns, so a follow-up question only prefills its new tokens.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { EveError, memory } from '@evejs/tensor';
import { getConversationTemplate, loadTokenizer, renderPrompt, tokenizerImageToken, type ConversationMessage } from '@evejs/tokenizer';
import { generate, GenerationSession, loadPretrained, type EveImage } from '@evejs/model';
import { selectBackend } from '../backends.js';
import { BUILTIN_MODEL_DIR } from '../builtin-model.js';
import { dtypeOption, loadEveImage } from './forward.js';

interface ChatOptions {
  model: string;
  image?: string;
  backend?: string;
  dtype?: string;
  convMode: string;
  temperature: string;
  topP?: string;
  topK?: string;
  repetitionPenalty?: string;
  seed?: string;
  maxNewTokens: string;
  maxLength?: string;
  verbose?: boolean;
}

function numberOption(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new EveError(`--${name}: invalid value ${value}`);
  return n;
}

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('ask EVE about an image (one question, or an interactive multi-turn chat without one)')
    .argument('[question]', 'the question; omit for an interactive chat')
    .option('--model <dir>', 'EVE checkpoint folder (with tokenizer.model or tokenizer.json; default: the built-in shapes model)', BUILTIN_MODEL_DIR)
    .option('--image <file>', 'the image to talk about')
    .option('--backend <name>', 'compute backend (default: EVE_BACKEND or cpu)')
    .option('--dtype <dtype>', 'weight storage: f32 (default), f16, bf16, or block-quantised q8_0 / q4_0 (also q8, q4: about 1/4 and 1/7 of f32; a quantised copy from `eve convert --quantize` loads as stored)')
    .option('--conv-mode <name>', 'conversation template', 'vicuna_v1')
    .option('--temperature <t>', '0 = greedy (default)', '0')
    .option('--top-p <p>', 'nucleus sampling threshold')
    .option('--top-k <k>', 'sample among the k most likely tokens')
    .option('--repetition-penalty <r>', 'HF repetition penalty (> 1 discourages repeats)')
    .option('--seed <n>', 'sampling seed')
    .option('--max-new-tokens <n>', 'most tokens per answer', '512')
    .option(
      '--max-length <n>',
      "positions an interactive chat's KV cache holds for the whole conversation (default: the model's max_position_embeddings); it is allocated up front: layers × 2 × n × hidden × 4 bytes, 4 GiB for EVE-7B at 4096",
    )
    .option('--verbose', 'print load and generation timings to stderr')
    .action(async (question: string | undefined, opts: ChatOptions) => {
      const sampling = {
        temperature: numberOption('temperature', opts.temperature, (n) => n >= 0) ?? 0,
        ...(opts.topP !== undefined ? { topP: numberOption('top-p', opts.topP, (n) => n > 0 && n <= 1)! } : {}),
        ...(opts.topK !== undefined ? { topK: numberOption('top-k', opts.topK, (n) => Number.isInteger(n) && n >= 0)! } : {}),
        ...(opts.repetitionPenalty !== undefined ? { repetitionPenalty: numberOption('repetition-penalty', opts.repetitionPenalty, (n) => n > 0)! } : {}),
        ...(opts.seed !== undefined ? { seed: numberOption('seed', opts.seed, Number.isInteger)! } : {}),
      };
      const maxNewTokens = numberOption('max-new-tokens', opts.maxNewTokens, (n) => Number.isInteger(n) && n > 0)!;
      const template = getConversationTemplate(opts.convMode);
      const verbose = (s: string) => {
        if (opts.verbose) process.stderr.write(`${s}\n`);
      };
      const t0 = performance.now();
      const backend = await selectBackend(opts.backend);
      const [loaded, tokenizer] = await Promise.all([
        loadPretrained(opts.model, { backend, ...dtypeOption(opts.dtype), log: verbose }),
        loadTokenizer(opts.model),
      ]);
      let image: EveImage | null = null;
      const cleanup: (() => void)[] = [];
      try {
        if (opts.image) {
          const r = await loadEveImage(opts.image, loaded, { applyExifOrientation: true }); // phone photos upright
          image = r.image;
          verbose(`image: ${opts.image} → ${r.tokens} image tokens`);
        }
        verbose(`loaded in ${((performance.now() - t0) / 1000).toFixed(2)} s on ${backend}`);
        const history: ConversationMessage[] = [];
        // An interactive chat keeps its KV cache between turns (each turn prefills only what is
        // new); a one-shot question lets generate size a cache to the call.
        const maxLength = numberOption('max-length', opts.maxLength, (n) => Number.isInteger(n) && n > 0);
        const session = question === undefined ? new GenerationSession(loaded.model, maxLength) : null;
        if (session) cleanup.push(() => session.dispose());
        const [user, assistant] = template.roles;
        const stop = template.sep2 ?? '</s>';

        const answer = async (q: string, signal: AbortSignal): Promise<string> => {
          const text = history.length === 0 && image ? `<image>\n${q}` : q;
          const prompt = renderPrompt(template, [...history, { role: user, text }, { role: assistant, text: null }]);
          const ids = tokenizerImageToken(tokenizer, prompt);
          const decode = (out: readonly number[]) => tokenizer.decode(out, { skipSpecialTokens: true });
          let reply = '';
          let first: number | null = null;
          let count = 0;
          const start = performance.now();
          for await (const step of generate(loaded.model, ids, { ...sampling, images: image ? [image] : [], maxNewTokens, decode, stopStrings: [stop], signal, ...(session ? { session } : {}) })) {
            first ??= performance.now() - start;
            count++;
            const delta = reply === '' ? step.text.trimStart() : step.text;
            reply += delta;
            process.stdout.write(delta);
          }
          process.stdout.write('\n');
          const total = performance.now() - start;
          verbose(
            `prompt ${ids.length} ids; first token ${(first ?? 0).toFixed(0)} ms; ${count} tokens in ${(total / 1000).toFixed(2)} s` +
              (count > 1 ? ` (${((count - 1) / ((total - (first ?? 0)) / 1000)).toFixed(2)} tokens/s decode)` : '') +
              `; ${memory().numTensors} live tensors`,
          );
          history.push({ role: user, text }, { role: assistant, text: reply.trim() });
          return reply;
        };

        if (question !== undefined) {
          await answer(question, new AbortController().signal);
          return;
        }
        // interactive: Ctrl-C during an answer cancels it, otherwise it exits; so do EOF, exit, quit
        const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
        let current: AbortController | null = null;
        rl.on('SIGINT', () => (current ? current.abort(new EveError('cancelled')) : rl.close()));
        try {
          // the line iterator buffers input, so piped questions are answered one after another
          process.stderr.write(`${user}: `);
          for await (const line of rl) {
            const q = line.trim();
            if (q === 'exit' || q === 'quit') break;
            if (q !== '') {
              current = new AbortController();
              process.stderr.write(`${assistant}: `);
              try {
                await answer(q, current.signal);
              } catch (e) {
                if (!current.signal.aborted) throw e;
                process.stdout.write('\n');
              } finally {
                current = null;
              }
            }
            process.stderr.write(`${user}: `);
          }
          process.stderr.write('\n');
        } finally {
          rl.close();
        }
      } finally {
        for (const f of cleanup) f();
        image?.pixels.dispose();
        loaded.model.dispose();
      }
    });
}
