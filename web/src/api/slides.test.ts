import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { ApiError } from './error';
import { retrySlide, slideStatusText } from './slides';

describe('slideStatusText', () => {
  it.each([
    { s: { status: 'processing', progress: 41.6 }, want: 'processing 42%' },
    { s: { status: 'queued', progress: 0, error: 'waiting for storage (the object store or the database) to answer again; the ingest is retried by itself' },
      want: 'queued 0% (waiting for storage (the object store or the database) to answer again; the ingest is retried by itself)' },
    { s: { status: 'failed', error: 'cannot read the file' }, want: 'failed: cannot read the file' },
    { s: { status: 'failed', error: '' }, want: 'failed: unknown error' },
    { s: { status: 'ready', error: '' }, want: 'ready' },
  ])('$s.status $s.error', ({ s, want }) => {
    expect(slideStatusText({ id: 1, project_id: 1, name: 'a.svs', ...s })).toBe(want);
  });
});

describe('retrySlide', () => {
  // A real HTTP server standing in for the tiler: slide 5 has failed, slide 6 is ready.
  const seen: { method: string; path: string; headers: IncomingHttpHeaders }[] = [];
  let server: Server;
  let api: ApiClient;
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
      const failed = req.method === 'POST' && req.url === '/api/v1/slides/5/retry';
      res.writeHead(failed ? 202 : 409, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(failed
        ? { id: 5, project_id: 1, name: 'a.svs', status: 'queued', progress: 0, error: '' }
        : { error: { code: 'conflict', message: 'slide 6 is ready; only a failed slide can be retried' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new ApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, csrfToken: () => 'tok' });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts to the slide\'s retry route with the CSRF token and returns the queued slide', async () => {
    const got = await retrySlide(api, '5');
    expect(got.status).toBe('queued');
    expect(seen.at(-1)?.method).toBe('POST');
    expect(seen.at(-1)?.path).toBe('/api/v1/slides/5/retry');
    expect(seen.at(-1)?.headers['x-csrf-token']).toBe('tok');
  });

  it('hands the service\'s refusal on as an ApiError with its message', async () => {
    const err: unknown = await retrySlide(api, '6').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(409);
    expect((err as ApiError).message).toContain('only a failed slide can be retried');
  });
});
