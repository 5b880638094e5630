// Load behaviour of the real server on the tiny model: bounded concurrency under 32 parallel
// streams (every stream complete and equal to its answer alone), 429 with Retry-After when the
// queue is full, client disconnects cancelling generation, and per-request timeouts.
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { StartedEveServer } from './index.js';
import { MODEL_ID, pacedRuntime, startTinyServer } from '../test/tiny-server.js';

const servers: StartedEveServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Parameters<typeof startTinyServer>[0]): Promise<StartedEveServer> {
  const s = await startTinyServer(opts);
  servers.push(s);
  return s;
}

const body = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: MODEL_ID, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content }], ...extra });

const post = (s: StartedEveServer, json: string, signal?: AbortSignal) =>
  fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json, ...(signal ? { signal } : {}) });

interface Health {
  status: string;
  queue: { depth: number; in_flight: number; concurrency: number; limit: number };
}
const health = async (s: StartedEveServer) => (await (await fetch(`${s.url}/health`)).json()) as Health;

/** Parses a finished SSE body and checks its shape; returns the content and finish reason. */
function checkStream(text: string): { content: string; finish: string; completionTokens: number } {
  const events = text.split('\n\n').filter((e) => e !== '');
  expect(events.every((e) => e.startsWith('data: '))).toBe(true);
  expect(events[events.length - 1]).toBe('data: [DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as { id: string; choices: { delta: { role?: string; content?: string }; finish_reason: string | null }[]; usage: { completion_tokens: number } | null });
  expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
  const usageChunk = chunks[chunks.length - 1]!;
  expect(usageChunk.choices).toEqual([]);
  const final = chunks[chunks.length - 2]!;
  expect(final.choices[0]!.finish_reason).toMatch(/^(stop|length)$/);
  const middle = chunks.slice(1, -2);
  expect(middle.every((c) => c.choices[0]!.finish_reason === null && typeof c.choices[0]!.delta.content === 'string')).toBe(true);
  return { content: middle.map((c) => c.choices[0]!.delta.content).join(''), finish: final.choices[0]!.finish_reason!, completionTokens: usageChunk.usage!.completion_tokens };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('request queue under load', () => {
  it('serves 32 parallel streams with concurrency 2: all complete, each equal to its answer alone', async () => {
    const s = await start({ concurrency: 2, queueLimit: 64 });
    const questions = ['a', 'the cat?', 'why', 'hello there'];
    // Reference answers, one request at a time.
    const alone = new Map<string, string>();
    for (const q of questions) alone.set(q, checkStream(await (await post(s, body(q, { max_tokens: 6, stream: true, stream_options: { include_usage: true } }))).text()).content);

    let maxInFlight = 0;
    let maxDepth = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const h = await health(s);
        maxInFlight = Math.max(maxInFlight, h.queue.in_flight);
        maxDepth = Math.max(maxDepth, h.queue.depth);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        const q = questions[i % questions.length]!;
        const res = await post(s, body(q, { max_tokens: 6, stream: true, stream_options: { include_usage: true } }));
        expect(res.status).toBe(200);
        return { q, ...checkStream(await res.text()) };
      }),
    );
    polling = false;
    await poller;
    for (const r of results) {
      expect(r.content).toBe(alone.get(r.q));
      expect(r.completionTokens).toBeGreaterThan(0);
    }
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBeGreaterThanOrEqual(1);
    expect(maxDepth).toBeGreaterThan(0);
    const h = await health(s);
    expect(h).toMatchObject({ status: 'ok', queue: { depth: 0, in_flight: 0 } });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('eve_http_requests_total{route="/v1/chat/completions",status="200"} 36');
  });

  it('answers 429 with Retry-After and an OpenAI error when the queue is full', async () => {
    const s = await start({ concurrency: 1, queueLimit: 1, runtime: await pacedRuntime(20) });
    const ctl = new AbortController();
    const long = body('a', { max_tokens: 200, stream: true });
    const first = await post(s, long, ctl.signal); // running (headers arrive once it has the slot)
    const second = post(s, long, ctl.signal).catch(() => null); // waiting
    await waitFor(async () => (await health(s)).queue.depth === 1);
    const third = await post(s, body('hi', { max_tokens: 2 }));
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const err = (await third.json()) as { error: { type: string; code: string; message: string; param: null } };
    expect(err.error).toMatchObject({ type: 'rate_limit_error', code: 'queue_full', param: null });
    // the openai client raises its RateLimitError
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await expect(client.chat.completions.create({ model: MODEL_ID, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    ctl.abort();
    await first.body?.cancel().catch(() => {});
    await second;
    await waitFor(async () => {
      const h = await health(s);
      return h.queue.in_flight === 0 && h.queue.depth === 0;
    });
    // still serving
    expect((await post(s, body('hi', { max_tokens: 2 }))).status).toBe(200);
  });

  it('cancels generation when the client disconnects', async () => {
    const s = await start({ concurrency: 1, queueLimit: 4, runtime: await pacedRuntime(20) });
    const ctl = new AbortController();
    const res = await post(s, body('a', { max_tokens: 200, stream: true }), ctl.signal);
    const reader = res.body!.getReader();
    await reader.read(); // the role chunk: generation is under way
    expect((await health(s)).queue.in_flight).toBe(1);
    ctl.abort();
    await waitFor(async () => (await health(s)).queue.in_flight === 0);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('eve_requests_cancelled_total 1');
    const generated = Number(/eve_generated_tokens_total (\d+)/.exec(metrics)![1]);
    expect(generated).toBeLessThan(200);
    expect(metrics).toMatch(/eve_http_requests_total\{route="\/v1\/chat\/completions",status="499"\} 1/);
    expect((await post(s, body('hi', { max_tokens: 2 }))).status).toBe(200);
  });

  it('times out: 504 for a JSON answer, an error event ending a stream', async () => {
    // 220 tokens at ≥ 5 ms each take over a second: far past the 300 ms limit
    const s = await start({ concurrency: 1, queueLimit: 4, timeoutMs: 300, runtime: await pacedRuntime(5) });
    const res = await post(s, body('a', { max_tokens: 220 }));
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ type: 'timeout_error', code: 'timeout' });

    const stream = await post(s, body('a', { max_tokens: 220, stream: true }));
    expect(stream.status).toBe(200);
    const events = (await stream.text()).split('\n\n').filter((e) => e !== '');
    const last = JSON.parse(events[events.length - 1]!.slice(6)) as { error: { code: string } };
    expect(last.error.code).toBe('timeout');

    // the openai client raises it as an APIError while iterating
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const it = await client.chat.completions.create({ model: MODEL_ID, messages: [{ role: 'user', content: 'a' }], max_tokens: 220, stream: true });
    await expect(
      (async () => {
        for await (const _ of it) void _;
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    await waitFor(async () => (await health(s)).queue.in_flight === 0);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('eve_requests_timed_out_total 3');
    expect(metrics).toContain('eve_http_requests_total{route="/v1/chat/completions",status="504"} 3');
    expect((await post(s, body('hi', { max_tokens: 2 }))).status).toBe(200);
  });

  it('close() cancels running generations and returns promptly', async () => {
    const s = await startTinyServer({ runtime: await pacedRuntime(20) });
    const res = await post(s, body('a', { max_tokens: 200, stream: true }));
    const reader = res.body!.getReader();
    await reader.read();
    const t0 = performance.now();
    await s.close();
    expect(performance.now() - t0).toBeLessThan(2000);
    // the stream is cut off (ended or reset) instead of running 200 paced tokens (4 s)
    const outcome = await (async () => {
      try {
        for (;;) if ((await reader.read()).done) return 'ended';
      } catch {
        return 'reset';
      }
    })();
    expect(['ended', 'reset']).toContain(outcome);
    await waitFor(async () => s.context.queue.running === 0, 2000);
    const metrics = s.context.metrics.render();
    expect(metrics).toContain('eve_requests_cancelled_total 1');
    expect(Number(/eve_generated_tokens_total (\d+)/.exec(metrics)![1])).toBeLessThan(200);
  });
});
