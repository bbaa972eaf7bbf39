import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedParty, getAgreement, getProjectAgreement, modelParty } from './agreement';
import { ApiClient } from './client';

// Answers shaped as the annotation service writes them (http/agreement.go, http/suggestion.go).
const figures =
  '{"slide_id":4,"a":"model:pathofusion@v3","b":12,"agreement":{"distance":10,"categories":[{"category_id":3,"points_a":1000,"points_b":3,"matched":2,' +
  '"precision":0.6666,"recall":0.002,"f1":0.004,"area_a":0,"area_b":0,"area_intersection":0,"iou":null,"dice":null}],"kappa":1,"matched_points":2}}';

let server: Server;
let base = '';
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const url = new URL(req.url ?? '', 'http://x');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (url.pathname.endsWith('/suggestions')) {
      res.end(url.searchParams.get('slide_id') === '4' ? '{"features":[{"id":1,"properties":{"model":{"name":"pathofusion","version":"v3"}}}],"truncated":true}' : '{"features":[],"truncated":false}');
    } else if (url.searchParams.get('b') === '13') {
      res.end('{"slide_id":4,"agreement":{"distance":5,"categories":null,"kappa":null,"matched_points":0}}');
    } else if (url.searchParams.get('b') === '14') {
      res.end('{"slide_id":4}');
    } else res.end(figures);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const api = (): ApiClient => new ApiClient({ baseUrl: base, csrfToken: () => 'csrf' });

describe('agreement API', () => {
  it('asks for a model version against a person within a distance', async () => {
    const ag = await getAgreement(api(), '4', modelParty('pathofusion@v3'), '12', 10);
    expect(seen.at(-1)).toBe('/api/v1/annotations/agreement?slide_id=4&a=model%3Apathofusion%40v3&b=12&distance=10');
    expect(ag.categories[0]).toMatchObject({ category_id: 3, matched: 2, iou: null });
    expect(ag.kappa).toBe(1);
    expect(acceptedParty('unet@2')).toBe('accepted:unet@2');
  });

  it('reads no categories (null) as none, and refuses an answer without figures', async () => {
    expect((await getAgreement(api(), '4', 'model:a@1', '13', 5)).categories).toEqual([]);
    await expect(getAgreement(api(), '4', 'model:a@1', '14', 5)).rejects.toThrow('without figures');
  });

  it("asks for a project's agreement, pooled by the service", async () => {
    const ag = await getProjectAgreement(api(), '9', acceptedParty('pathofusion@v3'), '12', 10);
    expect(seen.at(-1)).toBe('/api/v1/annotations/agreement?project_id=9&a=accepted%3Apathofusion%40v3&b=12&distance=10');
    expect(ag.kappa).toBe(1);
    await expect(getProjectAgreement(api(), '9', 'model:a@1', '14', 5)).rejects.toThrow('without figures');
  });
});
