/**
 * Validation of a `POST /v1/chat/completions` body: every field the server honours is checked
 * for type and range and turned into a typed request; anything wrong is a 400 naming the
 * parameter, in OpenAI's error shape. Fields OpenAI defines that EVE cannot honour (n > 1,
 * tools, logprobs, JSON response formats) are refused rather than silently ignored; unknown
 * fields are ignored, as OpenAI-style servers do. Image parts are only collected here;
 * image-inputs.ts fetches and decodes them.
 */
import { badRequest } from './api-error.js';

/** Where an image comes from, as the request named it. */
export type ImageRef = { kind: 'url'; url: string; param: string } | { kind: 'file'; fileId: string; param: string } | { kind: 'data'; data: string; param: string };

/** One message after validation: its text parts joined, its images collected. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  text: string;
  images: ImageRef[];
}

/** A validated chat completion request. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  /** Requested completion limit (undefined: the server default). */
  maxTokens: number | undefined;
  temperature: number | undefined;
  topP: number | undefined;
  topK: number | undefined;
  seed: number | undefined;
  stop: string[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAbsent = (v: unknown) => v === undefined || v === null;

function optionalNumber(body: Json, key: string, check: (n: number) => boolean, range: string): number | undefined {
  const v = body[key];
  if (isAbsent(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${key} must be a number, got ${JSON.stringify(v)}`, key, 'invalid_type');
  if (!check(v)) throw badRequest(`${key} must be ${range}, got ${v}`, key, 'invalid_value');
  return v;
}

function optionalInteger(body: Json, key: string, check: (n: number) => boolean, range: string): number | undefined {
  const v = optionalNumber(body, key, () => true, range);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v)) throw badRequest(`${key} must be an integer, got ${v}`, key, 'invalid_type');
  if (!check(v)) throw badRequest(`${key} must be ${range}, got ${v}`, key, 'invalid_value');
  return v;
}

function optionalBoolean(body: Json, key: string): boolean | undefined {
  const v = body[key];
  if (isAbsent(v)) return undefined;
  if (typeof v !== 'boolean') throw badRequest(`${key} must be a boolean, got ${JSON.stringify(v)}`, key, 'invalid_type');
  return v;
}

function parseImagePart(part: Json, param: string): ImageRef {
  const type = part['type'];
  if (type === 'image_url' || type === 'input_image') {
    // Chat Completions: {image_url: {url, detail}}; Responses-style input_image: {image_url: "…"} or {file_id}.
    const raw = part['image_url'];
    if (type === 'input_image' && typeof part['file_id'] === 'string') return { kind: 'file', fileId: part['file_id'], param: `${param}.file_id` };
    const url = typeof raw === 'string' ? raw : isObject(raw) ? raw['url'] : undefined;
    if (typeof url !== 'string' || url === '') throw badRequest(`${param}.image_url.url must be a non-empty string (a data: URL, an https: URL, or use a file part with an uploaded file_id)`, `${param}.image_url`, 'invalid_type');
    return { kind: 'url', url, param: `${param}.image_url.url` };
  }
  // type === 'file': {file: {file_id} | {file_data: "data:…"}}
  const file = part['file'];
  if (!isObject(file)) throw badRequest(`${param}.file must be an object with file_id or file_data`, `${param}.file`, 'invalid_type');
  if (typeof file['file_id'] === 'string') return { kind: 'file', fileId: file['file_id'], param: `${param}.file.file_id` };
  if (typeof file['file_data'] === 'string') return { kind: 'data', data: file['file_data'], param: `${param}.file.file_data` };
  throw badRequest(`${param}.file needs a file_id (from POST /v1/files) or file_data (a base64 data URL)`, `${param}.file`, 'invalid_type');
}

function parseMessage(m: unknown, i: number): ChatMessage {
  const param = `messages[${i}]`;
  if (!isObject(m)) throw badRequest(`${param} must be an object`, param, 'invalid_type');
  let role = m['role'];
  if (role === 'developer') role = 'system';
  if (role !== 'system' && role !== 'user' && role !== 'assistant') {
    const hint = role === 'tool' || role === 'function' ? ' (tool calls are not supported)' : '';
    throw badRequest(`${param}.role must be "system", "developer", "user" or "assistant", got ${JSON.stringify(role)}${hint}`, `${param}.role`, 'invalid_value');
  }
  if (role === 'assistant' && (m['tool_calls'] !== undefined || m['function_call'] !== undefined)) throw badRequest(`${param}: tool calls are not supported`, `${param}.tool_calls`, 'unsupported_parameter');
  const content = m['content'];
  const texts: string[] = [];
  const images: ImageRef[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    content.forEach((part, j) => {
      const pp = `${param}.content[${j}]`;
      if (!isObject(part)) throw badRequest(`${pp} must be an object`, pp, 'invalid_type');
      const type = part['type'];
      if (type === 'text' || type === 'input_text') {
        if (typeof part['text'] !== 'string') throw badRequest(`${pp}.text must be a string`, `${pp}.text`, 'invalid_type');
        texts.push(part['text']);
      } else if (type === 'image_url' || type === 'input_image' || type === 'file') {
        if (role !== 'user') throw badRequest(`${pp}: only user messages may carry images`, pp, 'invalid_value');
        images.push(parseImagePart(part, pp));
      } else {
        throw badRequest(`${pp}.type ${JSON.stringify(type)} is not supported (text, image_url, input_image, file)`, `${pp}.type`, 'invalid_value');
      }
    });
  } else if (!(isAbsent(content) && role === 'assistant')) {
    throw badRequest(`${param}.content must be a string or an array of content parts`, `${param}.content`, 'invalid_type');
  }
  return { role, text: texts.join('\n'), images };
}

function parseStop(v: unknown): string[] {
  if (isAbsent(v)) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw badRequest('stop must be a string or an array of strings', 'stop', 'invalid_type');
  if (list.length > 4) throw badRequest(`stop takes at most 4 sequences, got ${list.length}`, 'stop', 'invalid_value');
  if (list.some((s) => s === '')) throw badRequest('stop sequences must not be empty', 'stop', 'invalid_value');
  return list as string[];
}

/** Validates a chat completion request body; throws ApiError (400) on the first problem. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object', null, 'invalid_type');
  const model = body['model'];
  if (typeof model !== 'string' || model === '') throw badRequest('model must be a non-empty string (see GET /v1/models)', 'model', 'invalid_type');
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages must be a non-empty array', 'messages', 'invalid_type');

  optionalInteger(body, 'n', (v) => v === 1, '1 (one choice per request)');
  for (const key of ['tools', 'functions'] as const) {
    const v = body[key];
    if (Array.isArray(v) ? v.length > 0 : !isAbsent(v)) throw badRequest(`${key} are not supported by this model`, key, 'unsupported_parameter');
  }
  if (optionalBoolean(body, 'logprobs') === true) throw badRequest('logprobs are not supported', 'logprobs', 'unsupported_parameter');
  const format = body['response_format'];
  if (!isAbsent(format) && !(isObject(format) && format['type'] === 'text')) throw badRequest('response_format: only {"type": "text"} is supported', 'response_format', 'unsupported_parameter');
  for (const key of ['presence_penalty', 'frequency_penalty'] as const) {
    // Accepted for client compatibility, but only the neutral value: EVE's sampler has no such penalty.
    optionalNumber(body, key, (v) => v === 0, '0 (penalties are not supported)');
  }

  const streamOptions = body['stream_options'];
  if (!isAbsent(streamOptions) && !isObject(streamOptions)) throw badRequest('stream_options must be an object', 'stream_options', 'invalid_type');
  const includeUsage = isObject(streamOptions) ? optionalBoolean(streamOptions, 'include_usage') ?? false : false;

  const maxTokens = optionalInteger(body, 'max_tokens', (v) => v >= 1, 'an integer ≥ 1');
  const maxCompletionTokens = optionalInteger(body, 'max_completion_tokens', (v) => v >= 1, 'an integer ≥ 1');
  return {
    model,
    messages: messages.map(parseMessage),
    stream: optionalBoolean(body, 'stream') ?? false,
    includeUsage,
    maxTokens: maxCompletionTokens ?? maxTokens,
    temperature: optionalNumber(body, 'temperature', (v) => v >= 0 && v <= 2, 'between 0 and 2'),
    topP: optionalNumber(body, 'top_p', (v) => v > 0 && v <= 1, 'in (0, 1]'),
    topK: optionalInteger(body, 'top_k', (v) => v >= 0, 'an integer ≥ 0'),
    seed: optionalInteger(body, 'seed', (v) => Number.isSafeInteger(v), 'a safe integer'),
    stop: parseStop(body['stop']),
  };
}
