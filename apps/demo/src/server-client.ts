/**
 * Server mode: talks to apps/server's OpenAI-compatible `POST /v1/chat/completions` with
 * `stream: true` and yields the content deltas of its server-sent events. Also finds the model
 * the server serves and the files the demo routes expose for it.
 */

export interface ServerModel {
  id: string;
  /** Files under `/models/<id>/` (for in-browser loading), empty when the route is absent. */
  files: string[];
}

export interface ChatCompletionRequest {
  model: string;
  messages: unknown[];
  maxTokens: number;
  temperature: number;
  seed: number;
  signal?: AbortSignal;
}

/** The model the server at `baseUrl` serves, and its downloadable files. */
export async function fetchServerModel(baseUrl: string): Promise<ServerModel> {
  const res = await fetch(new URL('v1/models', baseUrl));
  if (!res.ok) throw new Error(`GET /v1/models: HTTP ${res.status}`);
  const list = (await res.json()) as { data: { id: string }[] };
  const id = list.data[0]?.id;
  if (!id) throw new Error('the server lists no model');
  const filesRes = await fetch(new URL(`models/${encodeURIComponent(id)}/`, baseUrl));
  const files = filesRes.ok ? ((await filesRes.json()) as { files: string[] }).files : [];
  return { id, files };
}

/** Streams the answer's text deltas. Throws with the server's error message on failure. */
export async function* streamChatCompletion(baseUrl: string, req: ChatCompletionRequest): AsyncGenerator<string> {
  const res = await fetch(new URL('v1/chat/completions', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: req.model, messages: req.messages, stream: true, max_tokens: req.maxTokens, temperature: req.temperature, seed: req.seed }),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data) as { error?: { message: string }; choices?: { delta?: { content?: string } }[] };
        if (chunk.error) throw new Error(chunk.error.message);
        const content = chunk.choices?.[0]?.delta?.content;
        if (content) yield content;
      }
    }
  }
}
