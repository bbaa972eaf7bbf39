// The error shape every Patholabel service answers with:
// {"error":{"code":"...","message":"..."}}.

export const errorCodes = [
  'invalid',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** ApiError is what every failed API call rejects with. status is 0 when no HTTP answer arrived. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

/** codeForStatus guesses a code when a proxy or crashed service answered without our JSON shape. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
    case 412:
      return 'conflict';
    case 413:
      return 'too_large';
    case 502:
    case 503:
    case 504:
      return 'unavailable';
    default:
      return status >= 400 && status < 500 ? 'invalid' : 'internal';
  }
}

/** parseError turns a non-2xx answer into an ApiError, trusting the body only when it has our shape. */
export function parseError(status: number, statusText: string, bodyText: string): ApiError {
  const body = parseJSON(bodyText);
  const shaped = errorField(body);
  const code = isErrorCode(shaped?.code) ? shaped.code : codeForStatus(status);
  const message =
    typeof shaped?.message === 'string' && shaped.message !== ''
      ? shaped.message
      : fallbackMessage(status, statusText);
  return new ApiError(status, code, message, body);
}

function errorField(body: unknown): { code?: unknown; message?: unknown } | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const err = body.error;
  return typeof err === 'object' && err !== null ? err : undefined;
}

function parseJSON(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function fallbackMessage(status: number, statusText: string): string {
  if (status === 502 || status === 503 || status === 504) {
    return 'The service is unavailable. Please try again in a moment.';
  }
  return statusText !== '' ? `Request failed: ${status} ${statusText}` : `Request failed: ${status}`;
}

/** networkError wraps a fetch rejection: the browser never got an answer (offline, DNS, reset). */
export function networkError(cause: unknown): ApiError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ApiError(0, 'unavailable', `The server could not be reached (${detail}).`);
}
