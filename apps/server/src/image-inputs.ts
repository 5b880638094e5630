/**
 * Turns the image references of a request into bytes: base64 `data:` URLs (always), uploaded
 * files by id, and `https:` URLs only when the server was started with remote images allowed
 * (fetched with a byte cap and a timeout). Plain `http:`, `file:` and anything that looks like a
 * path are refused: a request can never make the server read its own file system. Decoding and
 * preprocessing happen in the runtime; their FormatErrors become 400 `invalid_image` here.
 */
import { EveError } from '@evejs/tensor';
import { readImageInput } from '@evejs/image';
import { ApiError, badRequest } from './api-error.js';
import type { ImageRef } from './chat-request.js';
import type { EveRuntime, PreparedImage } from '@evejs/model/runtime';
import type { FileStore } from './file-store.js';

/** Settings of {@link resolveImage}. */
export interface ImageInputOptions {
  allowRemoteImages: boolean;
  remoteImageTimeoutMs: number;
  maxImageBytes: number;
  maxImagePixels: number;
  /** The fetch used for remote images (injectable for tests). */
  fetch: typeof fetch;
}

async function fetchRemote(url: URL, param: string, opts: ImageInputOptions, signal: AbortSignal): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(opts.remoteImageTimeoutMs);
  let res: Response;
  try {
    res = await opts.fetch(url, { signal: AbortSignal.any([signal, timeout]), redirect: 'follow' });
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw badRequest(`could not fetch the image at ${url.host}: ${timeout.aborted ? 'timed out' : (e as Error).message}`, param, 'image_fetch_failed');
  }
  if (!res.ok || !res.body) throw badRequest(`could not fetch the image at ${url.host}: HTTP ${res.status}`, param, 'image_fetch_failed');
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > opts.maxImageBytes) throw badRequest(`the image at ${url.host} is ${declared} bytes, over the limit of ${opts.maxImageBytes}`, param, 'image_too_large');
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > opts.maxImageBytes) throw badRequest(`the image at ${url.host} is over the limit of ${opts.maxImageBytes} bytes`, param, 'image_too_large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function imageBytes(ref: ImageRef, files: FileStore, opts: ImageInputOptions, signal: AbortSignal): Promise<{ bytes: Uint8Array; name: string }> {
  if (ref.kind === 'file') {
    const f = files.get(ref.fileId);
    if (!f) throw badRequest(`no uploaded file with id ${JSON.stringify(ref.fileId)} (upload with POST /v1/files; files live in server memory)`, ref.param, 'file_not_found');
    return { bytes: f.data, name: f.meta.filename };
  }
  const text = ref.kind === 'data' ? ref.data : ref.url;
  if (text.startsWith('data:')) {
    try {
      // Only the data-URL branch of readImageInput is reachable here: it never reads files.
      return await readImageInput(text, 'data URL');
    } catch (e) {
      if (e instanceof EveError) throw badRequest(e.message, ref.param, 'invalid_image');
      throw e;
    }
  }
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (ref.kind === 'url' && url?.protocol === 'https:') {
    if (!opts.allowRemoteImages) throw badRequest('remote image URLs are disabled on this server (start it with --allow-remote-images), send a base64 data: URL or upload the file to /v1/files', ref.param, 'remote_images_disabled');
    return { bytes: await fetchRemote(url, ref.param, opts, signal), name: url.host };
  }
  const what = url ? `the ${url.protocol} scheme is not accepted` : 'it is not a URL (file-system paths are never accepted)';
  throw badRequest(`unsupported image reference: ${what}; use a base64 data: URL${opts.allowRemoteImages ? ', an https: URL' : ''} or an uploaded file_id`, ref.param, 'invalid_image_url');
}

/** Fetches, decodes and preprocesses one image; every input problem is a 400. */
export async function resolveImage(ref: ImageRef, runtime: EveRuntime, files: FileStore, opts: ImageInputOptions, signal: AbortSignal): Promise<PreparedImage> {
  const { bytes, name } = await imageBytes(ref, files, opts, signal);
  if (bytes.byteLength > opts.maxImageBytes) throw badRequest(`the image is ${bytes.byteLength} bytes, over the limit of ${opts.maxImageBytes}`, ref.param, 'image_too_large');
  try {
    // A user-facing API: phone photos are seen upright (the release ignores EXIF orientation).
    return await runtime.prepareImage(bytes, name, opts.maxImagePixels, { applyExifOrientation: true });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof EveError) {
      const tooBig = /over the limit/.test(e.message);
      throw badRequest(e.message, ref.param, tooBig ? 'image_too_large' : 'invalid_image');
    }
    throw e;
  }
}
