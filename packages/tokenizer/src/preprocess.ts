/**
 * Training samples to ids and labels as EVE's `eve/train/train.py` builds them (transformers 4.31
 * era): `preprocessMultimodal` moves `<image>` to the front of a message, `preprocessV1` renders a
 * conversation with `vicuna_v1` and masks everything but the assistant's answers (and their
 * `</s>`) with -100, `preprocessPlain` builds stage-1/2 caption samples. Padding, truncation of
 * batches and image features are the data loader's and model's business.
 */
import { EveError } from '@evejs/tensor';
import { getConversationTemplate, renderPrompt, type ConversationMessage } from './conversation.js';
import { DEFAULT_IMAGE_TOKEN, tokenizerImageToken } from './image-token.js';
import type { LlamaTokenizer } from './llama-tokenizer.js';
import { pyStrip } from './python-strip.js';

/** Label of positions without loss (`IGNORE_INDEX`). */
export const IGNORE_INDEX = -100;

/** One message of LLaVA-style data: `{"from": "human" | "gpt", "value": ...}`. */
export interface SourceMessage {
  readonly from: string;
  readonly value: string;
}

/** Ids and labels of one sample. */
export interface PreprocessedSample {
  /** The rendered text that was tokenised. */
  readonly prompt: string;
  readonly inputIds: number[];
  readonly labels: number[];
}

/** Result of {@link preprocessV1}. */
export interface PreprocessedV1Sample extends PreprocessedSample {
  /** The reference's "tokenization mismatch" case: every label was set to -100. */
  readonly isMismatch: boolean;
}

/**
 * `preprocess_multimodal` for one sample: in every message containing `<image>`, remove all of
 * them, strip, prepend `"<image>\n"` and strip again. Returns new messages.
 */
export function preprocessMultimodal(source: readonly SourceMessage[]): SourceMessage[] {
  return source.map((m) => {
    if (!m.value.includes(DEFAULT_IMAGE_TOKEN)) return { ...m };
    const rest = pyStrip(m.value.replaceAll(DEFAULT_IMAGE_TOKEN, ''));
    return { ...m, value: pyStrip(`${DEFAULT_IMAGE_TOKEN}\n${rest}`) };
  });
}

/** Options of {@link preprocessV1}. */
export interface PreprocessV1Options {
  /** Whether the sample has an image (ids via `tokenizerImageToken`, no truncation). */
  readonly hasImage: boolean;
  /** Text-only samples are truncated to this many ids (default 2048 as EVE-7B; 4096 for EVE-7B-HD). */
  readonly modelMaxLength?: number;
}

/**
 * `preprocess_v1` for one sample (call {@link preprocessMultimodal} first for image samples, as
 * the data loader does). A first message not from `human` is dropped; roles must alternate.
 *
 * @throws EveError when roles do not alternate human/gpt
 */
export function preprocessV1(tokenizer: LlamaTokenizer, source: readonly SourceMessage[], options: PreprocessV1Options): PreprocessedV1Sample {
  const template = getConversationTemplate('vicuna_v1');
  // EVE passes --model_max_length (2048 for EVE-7B), which overrides tokenizer_config.json's 4096.
  const modelMaxLength = options.modelMaxLength ?? 2048;
  const roleOf = (from: string): string => {
    if (from === 'human') return template.roles[0];
    if (from === 'gpt') return template.roles[1];
    throw new EveError(`unknown message sender ${JSON.stringify(from)} (expected "human" or "gpt")`);
  };
  let msgs = [...source];
  if (msgs.length > 0 && roleOf(msgs[0]!.from) !== template.roles[0]) msgs = msgs.slice(1);
  const messages: ConversationMessage[] = msgs.map((m, j) => {
    const role = roleOf(m.from);
    if (role !== template.roles[j % 2]) throw new EveError(`message ${j} is from ${m.from}; roles must alternate human, gpt`);
    return { role, text: m.value };
  });
  const prompt = renderPrompt(template, messages);
  const ids = (text: string) => (options.hasImage ? tokenizerImageToken(tokenizer, text) : tokenizer.encode(text));
  const inputIds = options.hasImage ? ids(prompt) : ids(prompt).slice(0, modelMaxLength);
  const labels = [...inputIds];
  // The reference pads with <unk> (id 0) and counts the ids that are not the pad id.
  const totalLength = inputIds.filter((id) => id !== 0).length;
  const sep = `${template.sep}${template.roles[1]}: `;
  const mask = (from: number, to: number) => {
    for (let k = Math.max(0, from); k < Math.min(to, labels.length); k++) labels[k] = IGNORE_INDEX;
  };
  let cur = 1;
  mask(0, cur);
  for (const round of prompt.split(template.sep2!)) {
    if (round === '') break;
    const parts = round.split(sep);
    if (parts.length !== 2) break;
    const instruction = parts[0]! + sep;
    const roundLength = ids(round).length;
    // -2: the BOS, and the lone "▁" left by the trailing space of " ASSISTANT: ".
    const instructionLength = ids(instruction).length - 2;
    mask(cur, cur + instructionLength);
    cur += roundLength;
  }
  mask(cur, labels.length);
  const isMismatch = cur < modelMaxLength && cur !== totalLength;
  if (isMismatch) labels.fill(IGNORE_INDEX);
  return { prompt, inputIds, labels, isMismatch };
}

/**
 * `preprocess_plain` for one caption sample: exactly two messages, the first containing
 * `<image>`; the text is `"<image>" + caption + "\n"` and the loss covers the caption and newline.
 *
 * @throws EveError when the sample is not two messages with `<image>` in the first
 */
export function preprocessPlain(tokenizer: LlamaTokenizer, source: readonly SourceMessage[]): PreprocessedSample {
  if (source.length !== 2) throw new EveError(`a plain (pre-training) sample has 2 messages, got ${source.length}`);
  if (!source[0]!.value.includes(DEFAULT_IMAGE_TOKEN)) throw new EveError('a plain sample needs <image> in its first message');
  const sep = getConversationTemplate('plain').sep;
  const prompt = DEFAULT_IMAGE_TOKEN + source[1]!.value + sep;
  const inputIds = tokenizerImageToken(tokenizer, prompt);
  const labels = [...inputIds];
  const instructionLength = tokenizerImageToken(tokenizer, DEFAULT_IMAGE_TOKEN).length;
  for (let k = 0; k < Math.min(instructionLength, labels.length); k++) labels[k] = IGNORE_INDEX;
  return { prompt, inputIds, labels };
}
