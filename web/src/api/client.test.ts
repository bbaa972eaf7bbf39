import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { ApiError, parseError } from './error';

interface Seen {
  method: string;
  url: string;
  csrf: string | undefined;
  contentType: string | undefined;
  body: string;
}

// A real HTTP server on a loopback port: the client is exercised through real fetch.
let server: Server;
let base = '';
const seen: Seen[] = [];

function reply(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({
    method: req.method ?? '',
    url: req.url ?? '',
    csrf: req.headers['x-csrf-token'] as string | undefined,
    contentType: req.headers['content-type'],
    body,
  });
  switch (req.url) {
    case '/ok':
      return reply(res, 200, '{"hello":"world"}');
    case '/empty':
      return reply(res, 204, '');
    case '/conflict':
      return reply(res, 409, '{"error":{"code":"conflict","message":"mark 7 was changed by someone else"}}');
    case '/unauthorized':
      return reply(res, 401, '{"error":{"code":"unauthorized","message":"invalid username or password"}}');
    case '/proxy-down':
      return reply(res, 502, '<html>Bad Gateway</html>', 'text/html');
    case '/html-200':
      return reply(res, 200, '<!doctype html><html></html>', 'text/html');
    default:
      return reply(res, 404, '{"error":{"code":"not_found","message":"no such route"}}');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client(token?: string, onUnauthorized?: (e: ApiError) => void): ApiClient {
  return new ApiClient({ baseUrl: base, csrfToken: () => token, ...(onUnauthorized ? { onUnauthorized } : {}) });
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

describe('ApiClient', () => {
  it('parses JSON answers', async () => {
    expect(await client().get('/ok')).toEqual({ hello: 'world' });
  });

  it('answers undefined for an empty body', async () => {
    expect(await client('t').delete('/empty')).toBeUndefined();
  });

  it('sends the CSRF token on writes only', async () => {
    seen.length = 0;
    await client('tok-1').get('/ok');
    await client('tok-1').post('/ok', { a: 1 });
    expect(seen.map((s) => [s.method, s.csrf])).toEqual([
      ['GET', undefined],
      ['POST', 'tok-1'],
    ]);
    expect(seen[1]?.contentType).toBe('application/json');
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({ a: 1 });
  });

  it('turns the error shape into a typed error', async () => {
    const err = await rejection(client('t').patch('/conflict', {}));
    expect(err.status).toBe(409);
    expect(err.code).toBe('conflict');
    expect(err.message).toBe('mark 7 was changed by someone else');
  });

  it('reports a 401 to the unauthorized hook unless asked not to', async () => {
    const hooked: ApiError[] = [];
    const c = client(undefined, (e) => hooked.push(e));
    await rejection(c.get('/unauthorized'));
    const quiet = await rejection(c.post('/unauthorized', {}, { quiet401: true }));
    expect(hooked.map((e) => e.code)).toEqual(['unauthorized']);
    expect(quiet.message).toBe('invalid username or password');
  });

  it('explains a proxy error page without leaking its HTML', async () => {
    const err = await rejection(client().get('/proxy-down'));
    expect(err.code).toBe('unavailable');
    expect(err.message).not.toContain('<html>');
  });

  it('refuses a 200 that is not JSON', async () => {
    const err = await rejection(client().get('/html-200'));
    expect(err.code).toBe('internal');
  });

  it('maps a refused connection to unavailable with status 0', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, csrfToken: () => undefined });
    const err = await rejection(c.get('/ok'));
    expect(err.status).toBe(0);
    expect(err.code).toBe('unavailable');
  });
});

describe('parseError', () => {
  it.each([
    [400, '{"error":{"code":"invalid","message":"name: too long"}}', 'invalid', 'name: too long'],
    [413, '', 'too_large', 'Request failed: 413 Payload Too Large'],
    [404, '{"error":"not an object"}', 'not_found', 'Request failed: 404 Payload Too Large'],
    [500, '{"error":{"code":"weird","message":"boom"}}', 'internal', 'boom'],
    [503, 'not json', 'unavailable', 'The service is unavailable. Please try again in a moment.'],
  ])('status %i body %s → %s', (status, body, code, message) => {
    const err = parseError(status, 'Payload Too Large', body);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
  });
});
