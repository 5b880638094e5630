/**
 * MM-Vet's LLM grader (the official `mm-vet_evaluator.py` of yuweihao/MM-Vet): the few-shot
 * prompt, one chat request per question with `max_tokens` 3 at temperature 0, and the score
 * parsing — the first space-separated token must be a number in [0, 1]; otherwise the request is
 * repeated with "Predict the correctness of the answer (digit): " appended and the temperature
 * raised by 0.5, and after five failed tries the score is 0. The judge is any OpenAI-compatible
 * `/chat/completions` endpoint; this module never picks one by itself.
 */
import { EveError } from '@evejs/tensor';

export const MMVET_GRADER_PROMPT = `Compare the ground truth and prediction from AI models, to give a correctness score for the prediction. <AND> in the ground truth means it is totally right only when all elements in the ground truth are present in the prediction, and <OR> means it is totally right when any one element in the ground truth is present in the prediction. The correctness score is 0.0 (totally wrong), 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, or 1.0 (totally right). Just complete the last space of the correctness score.

Question | Ground truth | Prediction | Correctness
--- | --- | --- | ---
What is x in the equation? | -1 <AND> -5 | x = 3 | 0.0
What is x in the equation? | -1 <AND> -5 | x = -1 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -5 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -5 or 5 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -1 or x = -5 | 1.0
Can you explain this meme? | This meme is poking fun at the fact that the names of the countries Iceland and Greenland are misleading. Despite its name, Iceland is known for its beautiful green landscapes, while Greenland is mostly covered in ice and snow. The meme is saying that the person has trust issues because the names of these countries do not accurately represent their landscapes. | The meme talks about Iceland and Greenland. It's pointing out that despite their names, Iceland is not very icy and Greenland isn't very green. | 0.4
Can you explain this meme? | This meme is poking fun at the fact that the names of the countries Iceland and Greenland are misleading. Despite its name, Iceland is known for its beautiful green landscapes, while Greenland is mostly covered in ice and snow. The meme is saying that the person has trust issues because the names of these countries do not accurately represent their landscapes. | The meme is using humor to point out the misleading nature of Iceland's and Greenland's names. Iceland, despite its name, has lush green landscapes while Greenland is mostly covered in ice and snow. The text 'This is why I have trust issues' is a playful way to suggest that these contradictions can lead to distrust or confusion. The humor in this meme is derived from the unexpected contrast between the names of the countries and their actual physical characteristics. | 1.0
`;

/** The grader's user message for one question (`retry` adds the digit hint). */
export function mmvetGraderMessage(question: string, groundTruth: string, prediction: string, retry = false): string {
  const gt = groundTruth.replaceAll('<AND>', ' <AND> ').replaceAll('<OR>', ' <OR> ');
  return `${MMVET_GRADER_PROMPT}\n${[question, gt, prediction, ''].join(' | ')}${retry ? '\nPredict the correctness of the answer (digit): ' : ''}`;
}

/** The grader's score parsing: the first space-separated token as a number in [0, 1], else null. */
export function mmvetParseScore(content: string): number | null {
  const token = (content.split(' ')[0] ?? '').trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token)) return null;
  const score = Number(token);
  return score >= 0 && score <= 1 ? score : null;
}

export interface JudgeConfig {
  /** Base URL of an OpenAI-compatible API (…/v1); `/chat/completions` is appended. */
  url: string;
  model: string;
  apiKey?: string;
  /** Injected for tests; defaults to global fetch. */
  fetchImpl?: typeof fetch;
}

async function chat(cfg: JudgeConfig, content: string, temperature: number): Promise<string> {
  const res = await (cfg.fetchImpl ?? fetch)(`${cfg.url.replace(/\/+$/, '')}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {}) },
    body: JSON.stringify({ model: cfg.model, max_tokens: 3, temperature, messages: [{ role: 'user', content }] }),
  });
  if (!res.ok) throw new EveError(`MM-Vet judge: ${res.status} ${res.statusText} from ${cfg.url}`);
  const body = (await res.json()) as { choices?: { message?: { content?: string } }[] };
  return body.choices?.[0]?.message?.content ?? '';
}

/** Grades one answer as the official evaluator does; returns the score and the judge's raw reply. */
export async function mmvetGrade(cfg: JudgeConfig, question: string, groundTruth: string, prediction: string): Promise<{ score: number; content: string; tries: number }> {
  let temperature = 0;
  let content = await chat(cfg, mmvetGraderMessage(question, groundTruth, prediction), temperature);
  let tries = 1;
  for (;;) {
    const score = mmvetParseScore(content);
    if (score !== null) return { score, content, tries };
    content = await chat(cfg, mmvetGraderMessage(question, groundTruth, prediction, true), temperature);
    tries++;
    temperature += 0.5;
    if (tries > 5) {
      // The reference gives up with 0.0 after the fifth reply, without parsing it.
      return { score: 0, content, tries };
    }
  }
}
