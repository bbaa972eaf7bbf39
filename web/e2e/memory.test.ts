import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CDPSession } from 'playwright-core';
import { Api } from './api';
import { openBrowser, type Browser } from './browser';
import { e2eEnv } from './env';
import { random, type Created } from './viewing';

// Issue 16: opening and leaving a slide of 20,000 marks must not keep memory
// behind. Twenty visits within the app (no page load in between, as a
// pathologist moves from slide to slide all day); the JS heap after a forced
// garbage collection may grow by a few MB at most. This is a measurement
// with a bound, not a timing.

const env = e2eEnv();
const marks = 20_000;
const visits = 20;
const allowedGrowth = 3 * 1024 * 1024;

describe('memory: opening and leaving a slide of 20,000 marks twenty times', () => {
  let b: Browser;
  let api: Api;
  let cdp: CDPSession;
  let projectId = 0;
  let name = '';
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e memory ${run}`, description: 'made by the e2e suite' })).id;
    const cat = (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' })).id;
    name = `memory ${run}`;
    const slideId = await api.uploadSlide(projectId, join(env.testdata, 'slides', 'CMU-1-Small-Region.svs'), { name });
    const rnd = random(5);
    const features = Array.from({ length: marks }, () => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [rnd() * 2220, rnd() * 2967] },
      properties: { category_id: cat, radius: 6 },
    }));
    await api.post('/api/v1/annotations', { slide_id: slideId, features });
    cdp = await b.context.newCDPSession(b.page);
  });

  after(async () => {
    await b?.close();
  });

  const heap = async (): Promise<number> => {
    // Twice: objects freed by the first collection's finalizers go in the second.
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    return usedSize;
  };

  const visit = async (): Promise<void> => {
    const { page } = b;
    await page.getByRole('link', { name }).click();
    await page.locator('.viewer-page[data-ready]').waitFor({ timeout: 30_000 });
    await page.locator('.viewer-stats', { hasText: `${marks} marks` }).waitFor({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Slides' }).click();
    await page.getByRole('link', { name }).waitFor();
  };

  it(`grows the heap by less than ${allowedGrowth / 1024 / 1024} MB over ${visits} visits`, async () => {
    await b.page.goto(`${env.url}/projects/${projectId}`);
    await b.page.getByRole('link', { name }).waitFor();
    // Two visits first: what is loaded once (code, caches of fixed size) is not a leak.
    await visit();
    await visit();
    const start = await heap();
    for (let i = 2; i < visits; i++) await visit();
    const end = await heap();

    const growth = end - start;
    console.log(`memory: heap ${(start / 1048576).toFixed(1)} MB after 2 visits, ${(end / 1048576).toFixed(1)} MB after ${visits}: ${(growth / 1048576).toFixed(2)} MB kept`);
    assert.ok(growth < allowedGrowth, `the heap grew by ${(growth / 1048576).toFixed(2)} MB over ${visits - 2} visits`);
    assert.deepEqual(b.pageErrors, []);
  });
});
