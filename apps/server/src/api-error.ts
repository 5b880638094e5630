/**
 * Errors the HTTP API returns, in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`
 * with a matching HTTP status. Route code throws `ApiError`; the server's error handler turns it
 * (and fastify's own errors: bad JSON, body too large, wrong content type) into that JSON, so every
 * failure a client sees has the same shape. Not here: logging (the error handler does it).
 */

/** OpenAI's error `type` values (the ones this server uses). */
export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'server_error';

/** The JSON body of an error response. */
export interface ApiErrorBody {
  error: { message: string; type: ApiErrorType; param: string | null; code: string | null };
}

/** An error with its HTTP status and OpenAI error fields. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly type: ApiErrorType = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
    /** Extra response headers (Retry-After on 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toBody(): ApiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** 400 invalid_request_error naming the offending parameter. */
export function badRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError(400, message, 'invalid_request_error', param, code);
}

/**
 * Maps fastify's and Node's errors to an ApiError (status kept for 4xx, 500 otherwise).
 * fastify's codes: https://fastify.dev/docs/latest/Reference/Errors/
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  const message = e?.message ?? String(err);
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, `request body is too large (${message})`, 'invalid_request_error', null, 'body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, `unsupported Content-Type; send application/json (uploads: multipart/form-data to /v1/files)`, 'invalid_request_error', null, 'unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'the JSON body is empty', 'invalid_request_error', null, 'invalid_json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, message, 'invalid_request_error', null, 'invalid_content_length');
  }
  if (err instanceof SyntaxError || e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new ApiError(400, `the body is not valid JSON (${message})`, 'invalid_request_error', null, 'invalid_json');
  }
  const status = e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, message, status === 404 ? 'not_found_error' : 'invalid_request_error', null, e.code ?? null);
  }
  return new ApiError(500, 'internal server error', 'server_error', null, 'internal_error');
}
