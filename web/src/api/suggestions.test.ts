import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { acceptSuggestion, listSuggestions, nextSuggestion, projectSuggestionProgress, rejectSuggestion, suggestionProgress } from './suggestions';

// Answers shaped as the annotation service writes them (http/suggestion.go).
const one =
  '{"type":"Feature","id":41,"geometry":{"type":"Point","coordinates":[1000,500]},"properties":{"slide_id":1,"category_id":3,"shape":"point","radius":4,' +
  '"model":{"name":"pathofusion","version":"v3"},"scores":{"3":0.5,"4":0.5},"score":0.5,"margin":0,"state":"undecided","created_at":"2026-01-01T00:00:00Z","decision":null}}';

let server: Server;
let base = '';
const seen: { method: string; url: string; body: string }[] = [];
let left = 1;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      const url = new URL(req.url ?? '', 'http://x');
      const send = (status: number, text: string): void => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(text);
      };
      if (url.pathname.endsWith('/next')) return left > 0 ? send(200, one) : send(404, '{"error":{"code":"not_found","message":"no undecided suggestion is left on slide 1"}}');
      if (url.searchParams.get('project_id') === '8') return send(200, '{"project_id":8,"progress":{"total":1,"reviewed":0}}');
      if (url.pathname.endsWith('/progress') && url.searchParams.has('project_id')) {
        return send(200, '{"project_id":7,"reviewed":312,"total":2048,"accepted":300,"rejected":12,"slides":[{"slide_id":1,"reviewed":312,"total":2000},{"slide_id":2,"reviewed":0,"total":48}],' +
          '"models":["pathofusion@v3","pathofusion@v4"]}');
      }
      if (url.pathname.endsWith('/progress')) return send(200, '{"slide_id":1,"progress":{"total":2048,"reviewed":312,"undecided":1736,"accepted":300,"rejected":12}}');
      if (url.pathname.endsWith('/accept')) return send(201, '{"type":"Feature","id":77,"geometry":{"type":"Point","coordinates":[1000,500]},"properties":{"category_id":4}}');
      if (url.pathname.endsWith('/reject')) return send(200, one.replace('"undecided"', '"rejected"'));
      send(200, `{"type":"FeatureCollection","features":[${one}],"truncated":false}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const api = (): ApiClient => new ApiClient({ baseUrl: base, csrfToken: () => 'csrf' });

describe('suggestions API', () => {
  it('lists undecided suggestions in the view', async () => {
    const list = await listSuggestions(api(), '1', [0.4, 10, 2000.6, 900]);
    expect(list.map((s) => s.id)).toEqual([41]);
    expect(seen.at(-1)?.url).toBe('/api/v1/annotations/suggestions?slide_id=1&state=undecided&bbox=0%2C10%2C2001%2C900');
  });

  it('asks for the next most uncertain after the current one, null when none is left', async () => {
    expect((await nextSuggestion(api(), '1', 41, 'disagreement'))?.id).toBe(41);
    expect(seen.at(-1)?.url).toBe('/api/v1/annotations/suggestions/next?slide_id=1&by=disagreement&after=41');
    left = 0;
    expect(await nextSuggestion(api(), '1')).toBeNull();
    left = 1;
  });

  it('accepts as a chosen category, rejects, and counts', async () => {
    expect((await acceptSuggestion(api(), 41, 4)).id).toBe(77);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/api/v1/annotations/suggestions/41/accept', body: '{"category_id":4}' });
    await acceptSuggestion(api(), 41, undefined, { geometry: { type: 'Point', coordinates: [1010, 490] }, radius: 4 });
    expect(seen.at(-1)?.body).toBe('{"geometry":{"type":"Point","coordinates":[1010,490]},"radius":4}');
    expect((await rejectSuggestion(api(), 41)).properties.state).toBe('rejected');
    expect(await suggestionProgress(api(), '1')).toMatchObject({ reviewed: 312, total: 2048 });
  });

  it('counts the decisions of a project per model version, in all and per slide, and refuses an answer without them', async () => {
    const p = await projectSuggestionProgress(api(), '7', 'pathofusion@v3');
    expect(seen.at(-1)?.url).toBe('/api/v1/annotations/suggestions/progress?project_id=7&model=pathofusion%40v3');
    expect(p).toMatchObject({ reviewed: 312, total: 2048, accepted: 300, rejected: 12 });
    expect(p.slides).toEqual([{ slide_id: 1, reviewed: 312, total: 2000 }, { slide_id: 2, reviewed: 0, total: 48 }]);
    expect(p.models).toEqual(['pathofusion@v3', 'pathofusion@v4']);
    await expect(projectSuggestionProgress(api(), '8')).rejects.toThrow('without its counts');
    expect(seen.at(-1)?.url).toBe('/api/v1/annotations/suggestions/progress?project_id=8');
  });
});
