// Bad input gets a clear 4xx in OpenAI's error shape and the server keeps serving; optional
// bearer auth; CORS off by default and on for named origins. Real server, tiny checkpoint.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedEveServer } from './index.js';
import { MODEL_ID, pngBytes, pngDataUrl, startTinyServer } from '../test/tiny-server.js';

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const servers: StartedEveServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function start(opts: Parameters<typeof startTinyServer>[0] = {}): Promise<StartedEveServer> {
  const s = await startTinyServer(opts);
  servers.push(s);
  return s;
}

const chat = (s: StartedEveServer, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const user = (content: unknown) => ({ model: MODEL_ID, max_tokens: 2, messages: [{ role: 'user', content }] });
const imagePart = (url: string) => ({ type: 'image_url', image_url: { url } });

async function expectError(res: Response, status: number, expected: Partial<ErrorBody['error']>): Promise<ErrorBody['error']> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorBody;
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.message.length).toBeGreaterThan(10);
  expect(body.error).toMatchObject(expected);
  return body.error;
}

describe('bad input', () => {
  let s: StartedEveServer;
  beforeAll(async () => {
    s = await start({ maxBodyBytes: 64 * 1024, maxImagePixels: 5000 });
  });

  it('malformed JSON, wrong content types and oversize bodies', async () => {
    await expectError(await chat(s, '{"model": '), 400, { code: 'invalid_json', type: 'invalid_request_error' });
    await expectError(await chat(s, '[1, 2]'), 400, { code: 'invalid_type' });
    await expectError(await chat(s, 'hello', { 'content-type': 'text/plain' }), 415, { code: 'unsupported_media_type' });
    const form = new FormData();
    form.set('model', MODEL_ID);
    await expectError(await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', body: form }), 415, { code: 'unsupported_media_type' });
    await expectError(await chat(s, user('x'.repeat(70 * 1024))), 413, { code: 'body_too_large' });
  });

  it('images: undecodable, over the pixel limit, too many, paths and disallowed URLs', async () => {
    const garbage = `data:image/png;base64,${Buffer.from('definitely not a png').toString('base64')}`;
    const e1 = await expectError(await chat(s, user([imagePart(garbage)])), 400, { code: 'invalid_image', param: 'messages[0].content[0].image_url.url' });
    expect(e1.message).toMatch(/decode|format/i);
    await expectError(await chat(s, user([imagePart('data:image/png,rawbytes')])), 400, { code: 'invalid_image' });
    const big = await pngDataUrl(100, 60); // 6000 px > 5000
    const e2 = await expectError(await chat(s, user([imagePart(big)])), 400, { code: 'image_too_large' });
    expect(e2.message).toContain('5000');
    const small = await pngDataUrl(20, 20);
    const e3 = await expectError(await chat(s, user([imagePart(small), imagePart(small)])), 400, { code: 'too_many_images' });
    expect(e3.message).toMatch(/too many images/);
    // also across turns: one image per conversation
    await expectError(
      await chat(s, {
        model: MODEL_ID,
        messages: [
          { role: 'user', content: [imagePart(small)] },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [imagePart(small), { type: 'text', text: 'and this?' }] },
        ],
      }),
      400,
      { code: 'too_many_images' },
    );
    for (const url of ['/etc/passwd', 'file:///etc/passwd', '../../packages/model/test/fixtures/tiny-eve/config.json', 'http://127.0.0.1/x.png']) {
      await expectError(await chat(s, user([imagePart(url)])), 400, { code: 'invalid_image_url' });
    }
    await expectError(await chat(s, user([imagePart('https://example.com/cat.png')])), 400, { code: 'remote_images_disabled' });
    await expectError(await chat(s, user([{ type: 'file', file: { file_id: 'file-nope' } }])), 400, { code: 'file_not_found' });
    await expectError(await chat(s, { model: MODEL_ID, messages: [{ role: 'assistant', content: [imagePart(small)] }, { role: 'user', content: 'hi' }] }), 400, { code: 'invalid_value' });
  });

  it('prompts over the context length, counting image tokens', async () => {
    // the tiny model has 256 positions; ~300 words of text cannot fit
    const e = await expectError(await chat(s, user('word '.repeat(300))), 400, { code: 'context_length_exceeded', param: 'messages' });
    expect(e.message).toMatch(/maximum context length is 256 tokens/);
  });

  it('unknown model, missing or bad parameters', async () => {
    await expectError(await chat(s, { ...user('hi'), model: 'gpt-4o' }), 404, { code: 'model_not_found', param: 'model' });
    await expectError(await chat(s, { messages: [{ role: 'user', content: 'hi' }] }), 400, { param: 'model' });
    await expectError(await chat(s, { model: MODEL_ID, messages: [] }), 400, { param: 'messages' });
    const cases: [Record<string, unknown>, string][] = [
      [{ temperature: 'hot' }, 'temperature'],
      [{ temperature: 3 }, 'temperature'],
      [{ top_p: 0 }, 'top_p'],
      [{ max_tokens: 0 }, 'max_tokens'],
      [{ max_tokens: 2.5 }, 'max_tokens'],
      [{ max_completion_tokens: -1 }, 'max_completion_tokens'],
      [{ seed: 'x' }, 'seed'],
      [{ stop: 5 }, 'stop'],
      [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
      [{ n: 2 }, 'n'],
      [{ stream: 'yes' }, 'stream'],
      [{ stream_options: { include_usage: 1 } }, 'include_usage'],
      [{ tools: [{ type: 'function', function: { name: 'f' } }] }, 'tools'],
      [{ logprobs: true }, 'logprobs'],
      [{ response_format: { type: 'json_object' } }, 'response_format'],
      [{ presence_penalty: 1 }, 'presence_penalty'],
    ];
    for (const [extra, param] of cases) await expectError(await chat(s, { ...user('hi'), ...extra }), 400, { param, type: 'invalid_request_error' });
    await expectError(await chat(s, { model: MODEL_ID, messages: [{ role: 'tool', content: 'x' }] }), 400, { param: 'messages[0].role' });
    await expectError(await chat(s, { model: MODEL_ID, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }] }), 400, { param: 'messages' });
    await expectError(await chat(s, { model: MODEL_ID, messages: [{ role: 'user', content: [{ type: 'audio', data: 'x' }] }] }), 400, { param: 'messages[0].content[0].type' });
    await expectError(await chat(s, { model: MODEL_ID, messages: [{ role: 'user', content: '   ' }] }), 400, { code: 'empty_message' });
    await expectError(await chat(s, { model: MODEL_ID, messages: [{ role: 'user', content: 42 }] }), 400, { param: 'messages[0].content' });
  });

  it('unknown routes and bad uploads', async () => {
    await expectError(await fetch(`${s.url}/v1/completions`, { method: 'POST' }), 404, { type: 'not_found_error' });
    const form = new FormData();
    form.set('purpose', 'vision');
    form.set('file', new Blob([new TextEncoder().encode('not an image')]), 'x.png');
    await expectError(await fetch(`${s.url}/v1/files`, { method: 'POST', body: form }), 400, { code: 'invalid_image', param: 'file' });
    const big = new FormData();
    big.set('file', new Blob([new Uint8Array(70 * 1024)]), 'big.png');
    await expectError(await fetch(`${s.url}/v1/files`, { method: 'POST', body: big }), 413, {});
  });

  it('is still healthy and answering after all of that', async () => {
    expect(await (await fetch(`${s.url}/health`)).json()).toMatchObject({ status: 'ok', queue: { depth: 0, in_flight: 0 } });
    const ok = await chat(s, user([{ type: 'text', text: 'what?' }, imagePart(await pngDataUrl(40, 30))]));
    expect(ok.status).toBe(200);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/eve_http_requests_total\{route="\/v1\/chat\/completions",status="400"\} \d+/);
  });
});

describe('remote images (opt-in)', () => {
  it('fetches https URLs only with --allow-remote-images, with a size cap', async () => {
    const png = await pngBytes(32, 32);
    const fetched: string[] = [];
    const fakeFetch = (async (url: URL | string) => {
      fetched.push(String(url));
      if (String(url).endsWith('/huge.png')) return new Response(new Uint8Array(200 * 1024), { headers: { 'content-length': String(200 * 1024) } });
      if (String(url).endsWith('/missing.png')) return new Response('no', { status: 404 });
      return new Response(new Uint8Array(png));
    }) as typeof fetch;
    const s = await start({ allowRemoteImages: true, fetch: fakeFetch, maxBodyBytes: 100 * 1024 });
    const ok = await chat(s, user([imagePart('https://images.example/cat.png')]));
    expect(ok.status).toBe(200);
    expect(fetched).toEqual(['https://images.example/cat.png']);
    await expectError(await chat(s, user([imagePart('https://images.example/missing.png')])), 400, { code: 'image_fetch_failed' });
    await expectError(await chat(s, user([imagePart('https://images.example/huge.png')])), 400, { code: 'image_too_large' });
    await expectError(await chat(s, user([imagePart('http://images.example/cat.png')])), 400, { code: 'invalid_image_url' });
  });
});

describe('auth', () => {
  it('requires the bearer key on /v1 and /metrics, not on /health', async () => {
    const s = await start({ apiKey: 'sekret' });
    await expectError(await fetch(`${s.url}/v1/models`), 401, { code: 'invalid_api_key' });
    await expectError(await fetch(`${s.url}/v1/models`, { headers: { authorization: 'Bearer wrong' } }), 401, { code: 'invalid_api_key' });
    await expectError(await chat(s, user('hi')), 401, { code: 'invalid_api_key' });
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    expect((await fetch(`${s.url}/v1/models`, { headers: { authorization: 'Bearer sekret' } })).status).toBe(200);
    const good = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'sekret', maxRetries: 0 });
    const res = await good.chat.completions.create({ model: MODEL_ID, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
    expect(res.choices).toHaveLength(1);
    const bad = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('CORS', () => {
  const preflight = (s: StartedEveServer, origin: string) =>
    fetch(`${s.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  it('is off by default', async () => {
    const s = await start();
    const pre = await preflight(s, 'https://app.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.status).toBe(404);
    const get = await fetch(`${s.url}/v1/models`, { headers: { origin: 'https://app.example' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows only the named origin when enabled (preflight without credentials, streams too)', async () => {
    const s = await start({ corsOrigins: ['https://app.example'], apiKey: 'k' });
    const pre = await preflight(s, 'https://app.example');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight(s, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const res = await chat(s, { ...user('hi'), stream: true }, { origin: 'https://app.example', authorization: 'Bearer k' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    await res.text();
    const denied = await fetch(`${s.url}/v1/models`, { headers: { origin: 'https://app.example' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });
});
