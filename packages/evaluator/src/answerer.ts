/**
 * The model as the evaluator sees it: a function from (image, prompt) to the answer text after
 * EVE-SPEC §8.2 post-processing, with greedy decoding. `@evejs/model`'s generation is adapted to
 * this interface by the caller; the evaluator never touches model internals.
 */
export interface AnswerRequest {
  /** Absolute image path, or null for a text-only prompt (no `<image>` token). */
  imagePath: string | null;
  /** The user text after `<image>\n` (before the conversation template). */
  prompt: string;
  maxNewTokens: number;
}

export interface Answerer {
  /** Recorded as `model_id` in answers.jsonl. */
  readonly modelId: string;
  answer(req: AnswerRequest): Promise<string>;
}
