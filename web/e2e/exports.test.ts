import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

interface Created {
  id: number;
}

describe('create an export and download it', () => {
  let b: Browser;
  let projectId = 0;
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    const api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e export ${run}`, description: 'made by the e2e suite' })).id;
    const cat = await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b' });
    const slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'skimage-ihc.png'), { name: `export ${run}` });
    const point = (x: number, y: number): unknown => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { category_id: cat.id, radius: 5 } });
    await api.post('/api/v1/annotations', { slide_id: slideId, features: [point(50, 60), point(120, 80)] });
  });

  after(async () => {
    await b?.close();
  });

  it('follows the export to done and lists its download links', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}`);
    await page.getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('heading', { name: 'Exports', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create export' }).click();
    const row = page.locator('tr[data-export]').first();
    await row.locator('.export-status', { hasText: 'done' }).waitFor({ timeout: 120_000 });
    assert.match(await row.innerText(), /geojson, csv\s+done\s+2\s+s3:\/\//);
    await row.getByRole('button', { name: 'Download links' }).click();
    const manifest = row.getByRole('link', { name: 'manifest.json' });
    await manifest.waitFor();
    await screenshot(page, 'exports');
    const res = await b.context.request.get((await manifest.getAttribute('href')) ?? '');
    assert.equal(res.status(), 200);
    const body = (await res.json()) as { files?: unknown[] };
    assert.ok(Array.isArray(body.files) && body.files.length > 0);
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
