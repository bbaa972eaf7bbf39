import { ApiError, networkError, parseError } from './error';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * quiet401 stops a 401 from sending the user to the login page: the login
   * call itself, and the start-up "who am I" probe, expect it.
   */
  quiet401?: boolean;
}

export interface ClientOptions {
  /** baseUrl is '' in the browser (same origin); tests point it at a local server. */
  baseUrl?: string;
  fetch?: typeof fetch;
  csrfToken: () => string | undefined;
  onUnauthorized?: (err: ApiError) => void;
}

/** ApiClient is the only place that talks HTTP to the Patholabel API. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: ClientOptions) {
    this.baseUrl = opts.baseUrl ?? '';
    // fetch must be called with the global as `this` in browsers.
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  get<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, opts);
  }

  post<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body });
  }

  put<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...opts, body });
  }

  patch<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...opts, body });
  }

  delete<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, opts);
  }

  async request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await res.text();
    if (!res.ok) {
      const err = parseError(res.status, res.statusText, text);
      if (res.status === 401 && opts.quiet401 !== true) this.opts.onUnauthorized?.(err);
      throw err;
    }
    return parseBody<T>(res.status, text);
  }

  private async send(method: Method, path: string, opts: RequestOptions): Promise<Response> {
    const init: RequestInit = {
      method,
      headers: this.headers(method, opts),
      // Cookies go to our own origin only; the API is never cross-origin.
      credentials: 'same-origin',
    };
    if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
    if (opts.signal !== undefined) init.signal = opts.signal;
    try {
      return await this.fetchFn(this.baseUrl + path, init);
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw networkError(cause);
    }
  }

  private headers(method: Method, opts: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const token = this.opts.csrfToken();
    if (method !== 'GET' && token !== undefined && token !== '') headers['X-CSRF-Token'] = token;
    return headers;
  }
}

function parseBody<T>(status: number, text: string): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A 200 that is not JSON is usually the SPA's index.html answered for a missing API route.
    throw new ApiError(status, 'internal', 'The server sent an answer that is not JSON.');
  }
}

export { ApiError };
