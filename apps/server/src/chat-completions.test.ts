// The real server on loopback with the tiny EVE checkpoint, driven by the official openai client
// (unchanged, pointed at baseURL) and raw fetch: answers equal greedy generation run in-process
// on the same prompt; usage counts the spliced prompt (image tokens included).
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIds } from '@evejs/model';
import { getConversationTemplate, renderPrompt, tokenizerImageToken } from '@evejs/tokenizer';
import type { StartedEveServer } from './index.js';
import { MODEL_ID, pngBytes, pngDataUrl, startTinyServer, tinyRuntime } from '../test/tiny-server.js';

let server: StartedEveServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startTinyServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});

/** EVE's answer computed without the server: vicuna_v1 prompt, greedy, cut at `</s>`, stripped. */
async function expectedAnswer(turns: { role: 'USER' | 'ASSISTANT'; text: string }[], maxNewTokens: number, system?: string): Promise<{ text: string; tokens: number }> {
  const runtime = await tinyRuntime();
  const t = getConversationTemplate('vicuna_v1');
  const prompt = renderPrompt(system === undefined ? t : { ...t, system }, [...turns, { role: 'ASSISTANT', text: null }]);
  const ids = tokenizerImageToken(runtime.tokenizer, prompt);
  const out = await generateIds(runtime.loaded.model, ids, { maxNewTokens });
  let text = runtime.tokenizer.decode(out, { skipSpecialTokens: true });
  const cut = text.indexOf('</s>');
  if (cut >= 0) text = text.slice(0, cut);
  return { text: text.trim(), tokens: out.length };
}

describe('chat completions with the openai client', () => {
  it('lists the model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL_ID]);
    expect(models.data[0]).toMatchObject({ object: 'model', owned_by: 'evejs' });
    expect((await client.models.retrieve(MODEL_ID)).id).toBe(MODEL_ID);
  });

  it('answers a text question (non-streaming) as greedy generation does', async () => {
    const res = await client.chat.completions.create({ model: MODEL_ID, messages: [{ role: 'user', content: 'the cat?' }], max_tokens: 6 });
    const want = await expectedAnswer([{ role: 'USER', text: 'the cat?' }], 6);
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe(MODEL_ID);
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]!.message).toMatchObject({ role: 'assistant', content: want.text });
    expect(res.choices[0]!.finish_reason).toBe(want.tokens === 6 ? 'length' : 'stop');
    const runtime = await tinyRuntime();
    const promptIds = runtime.encodePrompt(renderPrompt(getConversationTemplate('vicuna_v1'), [{ role: 'USER', text: 'the cat?' }, { role: 'ASSISTANT', text: null }]));
    expect(res.usage).toEqual({ prompt_tokens: promptIds.length, completion_tokens: want.tokens, total_tokens: promptIds.length + want.tokens });
  });

  it('streams the same answer as chunks (role first, finish_reason last, usage, [DONE])', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL_ID,
      messages: [{ role: 'user', content: 'the cat?' }],
      max_completion_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const want = await expectedAnswer([{ role: 'USER', text: 'the cat?' }], 6);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === MODEL_ID)).toBe(true);
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content.trim()).toBe(want.text);
    const last = chunks[chunks.length - 2]!;
    expect(last.choices[0]!.finish_reason).toBe(want.tokens === 6 ? 'length' : 'stop');
    const usage = chunks[chunks.length - 1]!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage?.completion_tokens).toBe(want.tokens);
    // every chunk before the usage chunk says usage: null, as OpenAI's do
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('ends raw SSE with data: [DONE] and sends no usage chunk unless asked', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL_ID, messages: [{ role: 'user', content: 'hello' }], max_tokens: 3, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const events = text.split('\n\n').filter((e) => e !== '');
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const payloads = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as { choices: { finish_reason: string | null }[]; usage?: unknown });
    expect(payloads.every((p) => !('usage' in p))).toBe(true);
    expect(payloads[payloads.length - 1]!.choices[0]!.finish_reason).not.toBeNull();
  });

  it('splices an image (data URL): prompt_tokens counts the image tokens, the answer matches', async () => {
    const url = await pngDataUrl(64, 40);
    const res = await client.chat.completions.create({
      model: MODEL_ID,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it?' }, { type: 'image_url', image_url: { url } }] }],
      max_tokens: 5,
    });
    const runtime = await tinyRuntime();
    const image = await runtime.prepareImage(await pngBytes(64, 40), 'x', 1e6);
    const ids = runtime.encodePrompt(renderPrompt(getConversationTemplate('vicuna_v1'), [{ role: 'USER', text: '<image>\nwhat is it?' }, { role: 'ASSISTANT', text: null }]));
    expect(ids.filter((i) => i === -200)).toHaveLength(1);
    expect(res.usage!.prompt_tokens).toBe(ids.length - 1 + image.numImageTokens);
    // greedy with the image, in process
    const { prepareImage } = await import('@evejs/model');
    const eveImage = prepareImage(image.data, image.shape, runtime.loaded.processor.patchStride, 'cpu');
    const out = await generateIds(runtime.loaded.model, ids, { maxNewTokens: 5, images: [eveImage] });
    eveImage.pixels.dispose();
    let text = runtime.tokenizer.decode(out, { skipSpecialTokens: true });
    if (text.includes('</s>')) text = text.slice(0, text.indexOf('</s>'));
    expect(res.choices[0]!.message.content).toBe(text.trim());
  });

  it('renders multi-turn history with the system message as the template system prompt', async () => {
    const res = await client.chat.completions.create({
      model: MODEL_ID,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'the cat?' },
      ],
      max_tokens: 4,
    });
    const want = await expectedAnswer(
      [
        { role: 'USER', text: 'hi' },
        { role: 'ASSISTANT', text: 'hello' },
        { role: 'USER', text: 'the cat?' },
      ],
      4,
      'Be brief.',
    );
    expect(res.choices[0]!.message.content).toBe(want.text);
  });

  it('uploads an image with files.create and uses it by file_id', async () => {
    const file = await client.files.create({ file: await toFile(await pngBytes(30, 50), 'tall.png', { type: 'image/png' }), purpose: 'vision' });
    expect(file).toMatchObject({ object: 'file', filename: 'tall.png', purpose: 'vision' });
    expect(file.id).toMatch(/^file-/);
    const res = await client.chat.completions.create({
      model: MODEL_ID,
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: file.id } }, { type: 'text', text: 'describe' }] }],
      max_tokens: 3,
    });
    const runtime = await tinyRuntime();
    const image = await runtime.prepareImage(await pngBytes(30, 50), 'x', 1e6);
    const ids = runtime.encodePrompt(renderPrompt(getConversationTemplate('vicuna_v1'), [{ role: 'USER', text: '<image>\ndescribe' }, { role: 'ASSISTANT', text: null }]));
    expect(res.usage!.prompt_tokens).toBe(ids.length - 1 + image.numImageTokens);
    await client.files.delete(file.id);
    await expect(client.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
  });

  it('accepts input_image parts and inline file_data like image_url', async () => {
    const url = await pngDataUrl(50, 50);
    const ask = async (part: unknown) => {
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL_ID, max_tokens: 2, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, part] }] }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { usage: { prompt_tokens: number }; choices: { message: { content: string } }[] });
    };
    const a = await ask({ type: 'image_url', image_url: { url } });
    const b = await ask({ type: 'input_image', image_url: url });
    const c = await ask({ type: 'file', file: { file_data: url, filename: 'x.png' } });
    expect(b).toMatchObject({ usage: a.usage, choices: a.choices });
    expect(c).toMatchObject({ usage: a.usage, choices: a.choices });
  });

  it('samples reproducibly with a seed and honours stop strings', async () => {
    const ask = (seed: number) =>
      client.chat.completions.create({ model: MODEL_ID, messages: [{ role: 'user', content: 'tell' }], max_tokens: 12, temperature: 1.5, top_p: 0.95, seed });
    const [a, b] = [await ask(7), await ask(7)];
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    const full = a.choices[0]!.message.content!;
    // stop at a character that occurs in the sampled answer: the answer ends right before it
    const visible = [...full].filter((c) => c.trim() !== '' && c !== '\uFFFD');
    expect(visible.length).toBeGreaterThanOrEqual(2);
    const stop = visible[Math.floor(visible.length / 2)]!;
    const c = await client.chat.completions.create({ model: MODEL_ID, messages: [{ role: 'user', content: 'tell' }], max_tokens: 12, temperature: 1.5, top_p: 0.95, seed: 7, stop: [stop] });
    expect(c.choices[0]!.finish_reason).toBe('stop');
    expect(c.choices[0]!.message.content).toBe(full.slice(0, full.indexOf(stop)).trim());
  });
});
