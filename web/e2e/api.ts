import { readFileSync } from 'node:fs';
import type { APIRequestContext, APIResponse } from 'playwright-core';

/**
 * Api drives the backend directly to set up what a test needs (projects,
 * categories, slides). It shares the browser context's cookie jar, so signing
 * in here signs the page in too.
 */
export class Api {
  private csrf = '';

  constructor(
    private readonly request: APIRequestContext,
    private readonly url: string,
  ) {}

  async login(username: string, password: string): Promise<void> {
    const body = await this.json<{ csrf_token: string }>(
      await this.request.post(`${this.url}/api/v1/auth/login`, { data: { username, password } }),
      'sign in',
    );
    this.csrf = body.csrf_token;
  }

  /** logout ends the session on the server (its answer has no body); the browser's cookie then names a dead session. */
  async logout(): Promise<void> {
    const res = await this.request.post(`${this.url}/api/v1/auth/logout`, { headers: { 'X-CSRF-Token': this.csrf } });
    if (!res.ok()) throw new Error(`e2e: logout: ${res.status()} ${await res.text()}`);
  }

  async post<T>(path: string, data: unknown): Promise<T> {
    const res = await this.request.post(this.url + path, { data, headers: { 'X-CSRF-Token': this.csrf } });
    return this.json<T>(res, `POST ${path}`);
  }

  async patch<T>(path: string, data: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.request.patch(this.url + path, { data, headers: { 'X-CSRF-Token': this.csrf, ...headers } });
    return this.json<T>(res, `PATCH ${path}`);
  }

  async upload<T>(path: string, multipart: Record<string, string | { name: string; mimeType: string; buffer: Buffer }>): Promise<T> {
    const res = await this.request.post(this.url + path, { multipart, headers: { 'X-CSRF-Token': this.csrf } });
    return this.json<T>(res, `upload ${path}`);
  }

  async get<T>(path: string): Promise<T> {
    return this.json<T>(await this.request.get(this.url + path), `GET ${path}`);
  }

  /** uploadSlide uploads a local file into a project and waits until the tiler has made it ready. */
  async uploadSlide(projectId: number, file: string, fields: Record<string, string> = {}, timeoutMs = 120_000): Promise<number> {
    const name = file.split('/').pop() ?? file;
    const slide = await this.upload<{ id: number }>('/api/v1/slides', {
      project_id: String(projectId),
      ...fields,
      file: { name, mimeType: 'application/octet-stream', buffer: readFileSync(file) },
    });
    await this.until(`slide ${name} to be tiled`, timeoutMs, async () => {
      const s = await this.get<{ status: string; error?: string }>(`/api/v1/slides/${slide.id}`);
      if (s.status === 'failed') throw new Error(`e2e: slide ${name} failed: ${s.error ?? ''}`);
      return s.status === 'ready' ? s : undefined;
    });
    return slide.id;
  }

  /** until polls fn every half second until it answers a value or the time is up. */
  async until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`e2e: gave up waiting for ${what} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private async json<T>(res: APIResponse, what: string): Promise<T> {
    const text = await res.text();
    if (!res.ok()) throw new Error(`e2e: ${what}: ${res.status()} ${text}`);
    return JSON.parse(text) as T;
  }
}
