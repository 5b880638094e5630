/**
 * `POST /v1/chat/completions`: validate, resolve the image, render and tokenise the prompt, check
 * the context length, wait for a queue slot, then generate — as one JSON response, or as
 * server-sent events in OpenAI's chunk format (role delta, content deltas, a final chunk with
 * finish_reason, an optional usage chunk, `data: [DONE]`).
 *
 * Cancellation: the client closing the connection aborts the request's signal, which removes it
 * from the queue or stops `generate` at the next token. Timeouts (`timeoutMs`, counted from
 * arrival) abort the same signal: before any byte was sent the answer is 504 `timeout`; during a
 * stream an error event (`data: {"error": …}`) ends it, which the openai client raises as an
 * APIError. The output is EVE's: stop at EOS or the template's `</s>`, leading whitespace dropped
 * (and trailing whitespace too in the non-streaming answer, as the release's `strip()`).
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GeneratedToken } from '@evejs/model';
import { IMAGE_TOKEN_INDEX } from '@evejs/tokenizer';
import { ApiError, badRequest, toApiError } from '../api-error.js';
import { buildPrompt } from '../chat-prompt.js';
import { parseChatRequest, type ChatRequest } from '../chat-request.js';
import type { PreparedImage } from '@evejs/model/runtime';
import { resolveImage } from '../image-inputs.js';
import { QueueFullError } from '../request-queue.js';
import type { ServerContext } from '../server-context.js';

/** Abort reason: the client closed the connection. */
class ClientClosedError extends Error {
  override name = 'ClientClosedError';
}

/** Abort reason: the request ran past `timeoutMs`. */
class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
}

type FinishReason = 'stop' | 'length';

interface Prepared {
  req: ChatRequest;
  ids: number[];
  image: PreparedImage | null;
  promptTokens: number;
  maxNewTokens: number;
}

const finishReasonOf = (r: GeneratedToken['finishReason']): FinishReason => (r === 'length' ? 'length' : 'stop');

/** Lets sockets, timers and other requests run between two tokens (CPU kernels are synchronous). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The template's own end-of-answer string (`</s>` for vicuna_v1). */
function templateStops(ctx: ServerContext): string[] {
  const t = ctx.runtime.template;
  if (t.style === 'two' || t.style === 'llama2') return t.sep2 ? [t.sep2] : [];
  if (t.style === 'single') return [t.sep];
  return [];
}

async function prepare(ctx: ServerContext, body: unknown, signal: AbortSignal): Promise<Prepared> {
  const { runtime, options } = ctx;
  const req = parseChatRequest(body);
  if (req.model !== runtime.modelId) {
    throw new ApiError(404, `The model '${req.model}' does not exist; this server serves '${runtime.modelId}'`, 'invalid_request_error', 'model', 'model_not_found');
  }
  const refs = req.messages.flatMap((m) => m.images);
  if (refs.length > options.maxImages) {
    throw badRequest(`too many images: the conversation has ${refs.length}, EVE takes at most ${options.maxImages} per conversation`, 'messages', 'too_many_images');
  }
  const image = refs[0]
    ? await resolveImage(refs[0], runtime, ctx.files, { ...options, maxImageBytes: options.maxBodyBytes }, signal)
    : null;
  const ids = runtime.encodePrompt(buildPrompt(runtime.template, req.messages, image !== null));
  const promptTokens = ids.filter((id) => id !== IMAGE_TOKEN_INDEX).length + (image?.numImageTokens ?? 0);
  const room = runtime.contextLength - promptTokens;
  if (room < 1) {
    const imagePart = image ? `, ${image.numImageTokens} of them for the ${image.width}×${image.height} image` : '';
    throw badRequest(
      `This model's maximum context length is ${runtime.contextLength} tokens, and the messages take ${promptTokens} tokens${imagePart}; shorten the conversation or use a smaller image`,
      'messages',
      'context_length_exceeded',
    );
  }
  // max_tokens beyond the room left is clamped: the answer then ends with finish_reason "length".
  return { req, ids, image, promptTokens, maxNewTokens: Math.min(req.maxTokens ?? options.defaultMaxTokens, room) };
}

function samplingOf(ctx: ServerContext, req: ChatRequest) {
  return {
    temperature: req.temperature ?? ctx.options.defaultTemperature,
    topP: req.topP ?? 1,
    // Hugging Face's default top-k (50), which EVE's sampling runners inherit.
    topK: req.topK ?? 50,
    seed: req.seed ?? randomInt(2 ** 31),
  };
}

async function writeRaw(res: FastifyReply['raw'], text: string): Promise<void> {
  if (res.destroyed) return;
  if (!res.write(text)) await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function registerChatCompletionsRoute(app: FastifyInstance, ctx: ServerContext): void {
  const { runtime, queue, metrics, options } = ctx;

  app.post('/v1/chat/completions', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.isMultipart()) throw new ApiError(415, 'send the chat request as application/json (upload images to POST /v1/files first)', 'invalid_request_error', null, 'unsupported_media_type');
    const arrivedMs = performance.now();
    const controller = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort(new ClientClosedError('client closed the connection'));
    };
    reply.raw.on('close', onClose);
    const onShutdown = () => controller.abort(new ClientClosedError('server shutting down'));
    ctx.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const timer = options.timeoutMs > 0 ? setTimeout(() => controller.abort(new RequestTimeoutError(`request timed out after ${options.timeoutMs} ms`)), options.timeoutMs) : null;
    const signal = controller.signal;
    let release: (() => void) | null = null;
    try {
      const p = await prepare(ctx, request.body, signal);
      try {
        release = await queue.acquire(signal);
      } catch (e) {
        if (e instanceof QueueFullError) {
          const avg = metrics.averageLatencySeconds();
          const retryAfterS = Math.max(1, Math.ceil(((avg || 1) * (queue.depth + 1)) / queue.concurrency));
          throw new ApiError(429, `${e.message}; retry later`, 'rate_limit_error', null, 'queue_full', { 'retry-after': String(retryAfterS) });
        }
        throw e;
      }
      const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
      const created = Math.floor(Date.now() / 1000);
      const fingerprint = `evejs-${runtime.backend}`;
      const steps = runtime.generate(p.ids, { image: p.image, maxNewTokens: p.maxNewTokens, ...samplingOf(ctx, p.req), stopStrings: [...templateStops(ctx), ...p.req.stop], signal });
      const genStartMs = performance.now();
      let completionTokens = 0;
      let text = '';
      let finishReason: FinishReason = 'length';
      const usage = () => ({ prompt_tokens: p.promptTokens, completion_tokens: completionTokens, total_tokens: p.promptTokens + completionTokens });
      const record = () => metrics.recordGeneration(p.promptTokens, completionTokens, (performance.now() - genStartMs) / 1000);

      if (!p.req.stream) {
        try {
          for await (const step of steps) {
            completionTokens++;
            text += step.text;
            if (step.finishReason) finishReason = finishReasonOf(step.finishReason);
            await yieldToEventLoop();
          }
        } finally {
          record();
        }
        request.log.info({ promptTokens: p.promptTokens, completionTokens, finishReason, ms: Math.round(performance.now() - arrivedMs) }, 'chat completion');
        return reply.send({
          id,
          object: 'chat.completion',
          created,
          model: runtime.modelId,
          system_fingerprint: fingerprint,
          choices: [{ index: 0, message: { role: 'assistant', content: text.trim(), refusal: null }, logprobs: null, finish_reason: finishReason }],
          usage: usage(),
        });
      }

      // Streaming: from here on the status line is sent, so errors become error events.
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...reply.getHeaders(), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' } as Record<string, string>);
      const send = (obj: unknown) => writeRaw(res, `data: ${JSON.stringify(obj)}\n\n`);
      const chunk = (delta: Record<string, unknown>, finish: FinishReason | null) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: runtime.modelId,
        system_fingerprint: fingerprint,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(p.req.includeUsage ? { usage: null } : {}),
      });
      try {
        await send(chunk({ role: 'assistant', content: '' }, null));
        for await (const step of steps) {
          completionTokens++;
          // EVE strips the answer: drop whitespace before the first visible character.
          const delta = text === '' ? step.text.trimStart() : step.text;
          text += delta;
          if (delta !== '') await send(chunk({ content: delta }, null));
          if (step.finishReason) finishReason = finishReasonOf(step.finishReason);
          await yieldToEventLoop();
        }
        await send(chunk({}, finishReason));
        if (p.req.includeUsage) await send({ id, object: 'chat.completion.chunk', created, model: runtime.modelId, system_fingerprint: fingerprint, choices: [], usage: usage() });
        await writeRaw(res, 'data: [DONE]\n\n');
        request.log.info({ promptTokens: p.promptTokens, completionTokens, finishReason, stream: true, ms: Math.round(performance.now() - arrivedMs) }, 'chat completion');
      } catch (e) {
        if (signal.reason instanceof ClientClosedError) throw e;
        const err = signal.reason instanceof RequestTimeoutError ? new ApiError(504, signal.reason.message, 'timeout_error', null, 'timeout') : toApiError(e);
        if (err.status >= 500 && !(signal.reason instanceof RequestTimeoutError)) request.log.error({ err: e }, 'generation failed');
        if (signal.reason instanceof RequestTimeoutError) metrics.recordTimeout();
        await send(err.toBody());
        // Status for the request metrics: the response itself already said 200.
        res.statusCode = err.status;
      } finally {
        record();
        res.end();
      }
      return reply;
    } catch (e) {
      if (signal.reason instanceof ClientClosedError) {
        metrics.recordCancelled();
        request.log.info({ reason: 'client closed the connection' }, 'chat completion cancelled');
        if (!reply.sent) reply.hijack();
        return reply;
      }
      if (signal.reason instanceof RequestTimeoutError) {
        metrics.recordTimeout();
        throw new ApiError(504, signal.reason.message, 'timeout_error', null, 'timeout');
      }
      throw e;
    } finally {
      release?.();
      if (timer) clearTimeout(timer);
      reply.raw.off('close', onClose);
      ctx.shutdown.signal.removeEventListener('abort', onShutdown);
      metrics.recordLatency((performance.now() - arrivedMs) / 1000);
    }
  });
}
