import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAnnotation, gridCounts, listAnnotations, parseGrid } from './annotations';
import { ApiClient } from './client';
import { latestReview, lastReview } from './review';

// Answers in the very bytes the annotation service writes (encode.go, http/history.go).
const grid =
  '{"type":"FeatureCollection","lod":"grid","cell":2048,"features":[' +
  '{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,2048],[2048,2048],[2048,4096],[0,4096],[0,2048]]]},"properties":{"shape":"cell","category_id":3,"count":17}},' +
  '{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[4096,2048],[6144,2048],[6144,4096],[4096,4096],[4096,2048]]]},"properties":{"shape":"cell","category_id":4,"count":2}}' +
  '],"truncated":false}';
const polygon =
  '{"type":"Feature","id":12,"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,0]]]},"properties":{"category_id":3,"author_id":5,"shape":"polygon","version":4,"review":"rejected","created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-02T10:00:00Z"}}';
const history =
  '{"events":[' +
  '{"id":9,"annotation_id":12,"slide_id":1,"author_id":5,"actor_id":5,"version":5,"action":"updated","at":"2024-05-03T10:00:00Z","comment":"","before":null,"after":null},' +
  `{"id":8,"annotation_id":12,"slide_id":1,"author_id":5,"actor_id":6,"version":4,"action":"reviewed","at":"2024-05-02T10:00:00Z","comment":"Not a tumour cell: a lymphocyte.","before":null,"after":${polygon}},` +
  '{"id":7,"annotation_id":12,"slide_id":1,"author_id":5,"actor_id":6,"version":3,"action":"reviewed","at":"2024-05-01T12:00:00Z","comment":"older","before":null,"after":null}' +
  '],"next_before":null}';

let server: Server;
let base = '';
const urls: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    urls.push(req.url ?? '');
    const url = new URL(req.url ?? '', 'http://x');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (url.pathname === '/api/v1/annotations/history') res.end(history);
    else if (url.pathname === '/api/v1/annotations/12') res.end(polygon);
    else if (url.searchParams.get('lod') === 'grid') res.end(grid);
    else res.end(`{"type":"FeatureCollection","features":[${polygon}],"truncated":true}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const api = (): ApiClient => new ApiClient({ baseUrl: base, csrfToken: () => undefined });

describe('level of detail requests', () => {
  it('asks counts per cell over a box, for one author if asked, and reads them', async () => {
    const counts = await gridCounts(api(), '7', { x0: 0.4, y0: 10, x1: 8192, y1: 4096.6 }, { cell: 2048, author: '5' });
    expect(urls.at(-1)).toBe('/api/v1/annotations?slide_id=7&bbox=0,10,8192,4097&lod=grid&cell=2048&author_id=5');
    expect(counts).toEqual({ cell: 2048, cells: [{ col: 0, row: 1, category: '3', count: 17 }, { col: 2, row: 1, category: '4', count: 2 }] });
  });

  it('asks thinned shapes with a tolerance, exact ones without', async () => {
    const page = await listAnnotations(api(), '7', { x0: 0, y0: 0, x1: 100, y1: 100 }, { limit: 50_000, tolerance: 2 });
    expect(urls.at(-1)).toBe('/api/v1/annotations?slide_id=7&bbox=0,0,100,100&limit=50000&lod=simplify&tolerance=2');
    expect(page.truncated).toBe(true);
    expect(page.features).toEqual([JSON.parse(polygon)]);
    await listAnnotations(api(), '7', { x0: 0, y0: 0, x1: 100, y1: 100 }, { limit: 10, tolerance: 0 });
    expect(urls.at(-1)).toBe('/api/v1/annotations?slide_id=7&bbox=0,0,100,100&limit=10');
  });

  it('loads one mark exact', async () => {
    expect(await getAnnotation(api(), 12)).toEqual(JSON.parse(polygon));
    expect(urls.at(-1)).toBe('/api/v1/annotations/12');
  });

  it('refuses an answer that is not a grid', () => {
    expect(() => parseGrid({ type: 'FeatureCollection', features: [] })).toThrow(/not a grid/);
    expect(parseGrid({ lod: 'grid', cell: 1024, features: [{ geometry: null, properties: {} }] })).toEqual({ cell: 1024, cells: [] });
  });
});

describe('review comments', () => {
  it('finds the latest review of a mark in its history, with its comment and reviewer', async () => {
    expect(await lastReview(api(), 12)).toEqual({ decision: 'rejected', comment: 'Not a tumour cell: a lymphocyte.', reviewer: '6', at: '2024-05-02T10:00:00Z', version: 4 });
    expect(urls.at(-1)).toBe('/api/v1/annotations/history?annotation_id=12&limit=500');
  });

  it('answers null for a mark never reviewed, and refuses a page without events', () => {
    expect(latestReview({ events: [{ action: 'created' }], next_before: null })).toBeNull();
    expect(() => latestReview({})).toThrow(/without events/);
  });
});
