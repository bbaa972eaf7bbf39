import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { exportFiles, exportRequest, moreFiles, selectionSummary, type ExportChoice } from './exports';

const base: ExportChoice = { formats: ['geojson'], review: 'all', slideIds: [], categoryIds: [], authorIds: [], patchSizes: '64, 128', patchFormat: 'png', edge: 'pad' };

describe('exportRequest', () => {
  it.each([
    { name: 'all marks: empty lists are left out', c: base, want: { body: { project_id: 9, formats: ['geojson'], review: 'all' } } },
    { name: 'a selection', c: { ...base, slideIds: [3, 1], categoryIds: [5], authorIds: [2], review: 'accepted' },
      want: { body: { project_id: 9, formats: ['geojson'], review: 'accepted', slide_ids: [3, 1], category_ids: [5], author_ids: [2] } } },
    { name: 'rejected suggestions as hard negatives', c: { ...base, hardNegatives: true },
      want: { body: { project_id: 9, formats: ['geojson'], review: 'all', hard_negatives: true } } },
    { name: 'patch settings only with a patch format', c: { ...base, formats: ['csv', 'patches'], patchSizes: '256 64,64', patchFormat: 'jpeg', edge: 'skip' },
      want: { body: { project_id: 9, formats: ['csv', 'patches'], review: 'all', patch_sizes: [64, 256], patch_format: 'jpeg', edge: 'skip' } } },
    { name: 'no format', c: { ...base, formats: [] }, want: { error: 'Choose at least one format.' } },
    { name: 'a name, trimmed', c: { ...base, name: '  glioma v3 ' }, want: { body: { project_id: 9, name: 'glioma v3', formats: ['geojson'], review: 'all' } } },
    { name: 'a blank name is none', c: { ...base, name: '   ' }, want: { body: { project_id: 9, formats: ['geojson'], review: 'all' } } },
    { name: 'WebDataset shards need patch sizes', c: { ...base, formats: ['webdataset'], patchSizes: '128' },
      want: { body: { project_id: 9, formats: ['webdataset'], review: 'all', patch_sizes: [128], patch_format: 'png', edge: 'pad' } } },
    { name: 'a size too small', c: { ...base, formats: ['pathofusion'], patchSizes: '64, 4' }, want: { error: 'Patch size "4" must be a whole number of pixels from 8 to 2048.' } },
    { name: 'a size that is no number', c: { ...base, formats: ['patches'], patchSizes: '64px' }, want: { error: 'Patch size "64px" must be a whole number of pixels from 8 to 2048.' } },
    { name: 'no size', c: { ...base, formats: ['patches'], patchSizes: ' , ' }, want: { error: 'Give at least one patch size.' } },
  ])('$name', ({ c, want }) => {
    expect(exportRequest(9, c)).toEqual(want);
  });
});

describe('selectionSummary', () => {
  it.each([
    { name: 'everything', p: { formats: ['csv'], review: 'all', slide_ids: [], patch_sizes: [64] }, want: 'all slides, all categories, all authors, all reviews' },
    { name: 'a selection with patches', p: { formats: ['patches'], review: 'accepted', slide_ids: [1], category_ids: [2, 3], author_ids: [4], patch_sizes: [64, 128] },
      want: '1 slide, 2 categories, 1 author, accepted only, 64/128 px' },
  ])('$name', ({ p, want }) => {
    expect(selectionSummary(p)).toBe(want);
  });
});

describe('exportFiles', () => {
  // A real HTTP server paging five links two at a time, as the export service pages its thousands.
  const paths = ['manifest.json', 'README.md', 'csv/marks.csv', 'geojson/a.geojson', 'geojson/b.geojson'];
  let server: Server;
  let api: ApiClient;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '', 'http://x');
      const offset = Number(url.searchParams.get('offset') ?? '0');
      const ok = url.pathname === '/api/v1/exports/7/files';
      res.writeHead(ok ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(ok
        ? { total: paths.length, offset, limit: 2, files: paths.slice(offset, offset + 2).map((p) => ({ path: p, url: `https://s3/${p}` })) }
        : { error: { code: 'not_found', message: 'no such route' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new ApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, csrfToken: () => undefined });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads every page by its offset', async () => {
    const got: string[] = [];
    let total = -1;
    while (total < 0 || got.length < total) {
      const page = await exportFiles(api, 7, got.length);
      expect(page.files.length).toBeGreaterThan(0);
      got.push(...page.files.map((f) => f.path));
      total = page.total;
    }
    expect(got).toEqual(paths);
  });
});

describe('moreFiles', () => {
  it.each([
    { shown: 1000, total: 200001, want: 'Showing 1,000 of 200,001 files.' },
    { shown: 5, total: 5, want: '' },
  ])('$shown of $total', ({ shown, total, want }) => {
    expect(moreFiles(shown, total)).toBe(want);
  });
});
