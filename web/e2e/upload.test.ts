import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

describe('upload slides from the browser and watch them become ready', () => {
  let b: Browser;
  let projectId = 0;
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    const api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<{ id: number }>('/api/v1/projects', { name: `e2e upload ${run}`, description: 'made by the e2e suite' })).id;
  });

  after(async () => {
    await b?.close();
  });

  it('sends two files with a progress bar each, then lists them as they are tiled', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}`);
    await page.getByText('This project has no slides yet.').waitFor();
    await page.getByLabel('Case id (optional)').fill(`case-${run}`);
    await page.getByLabel('Stain (optional)').fill('H&E');
    await page.locator('#slide-files').setInputFiles([
      join(env.testdata, 'slides', 'CMU-1-Small-Region.svs'),
      join(env.testdata, 'images', 'skimage-ihc.png'),
    ]);
    for (const name of ['CMU-1-Small-Region.svs', 'skimage-ihc.png']) {
      const row = page.locator(`.upload-row[data-file="${name}"]`);
      await row.locator('.upload-state', { hasText: 'uploaded' }).waitFor({ timeout: 60_000 });
      assert.equal(await row.locator('progress').getAttribute('value'), '100');
    }
    await screenshot(page, 'upload');
    for (const name of ['CMU-1-Small-Region', 'skimage-ihc']) {
      await page.getByRole('link', { name }).waitFor({ timeout: 120_000 });
    }
    const rows = page.locator('.slide-table tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.first().innerText(), new RegExp(`case-${run}\\s+beside H&E\\s+H&E\\s+ready`));
    await screenshot(page, 'slides-ready');
  });

  it('shows two slides of the case side by side, zooming together', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'beside H&E' }).first().click();
    await page.getByRole('heading', { name: 'Side by side' }).waitFor();
    const views = async (): Promise<number[][]> =>
      page.locator('.pair-stage').evaluateAll((els) => els.map((e) => ((e as HTMLElement).dataset['view'] ?? '').split(',').map(Number)));
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('.pair-stage')].every((e) => e.dataset['view'] !== undefined));
    await page.waitForTimeout(500);
    const left = await page.locator('.pair-stage').first().boundingBox();
    assert.ok(left);
    await page.mouse.move(left.x + left.width / 2, left.y + left.height / 2);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -200);
    await page.waitForTimeout(1500);
    const [a, b2] = await views();
    assert.ok(a && b2);
    // The PNG does not say its microns per pixel, so the halves are matched by image size:
    // one left pixel spans sqrt(wR/wL · hR/hL) right pixels.
    const names = await page.locator('.pair-title').allInnerTexts();
    const sizes: Record<string, [number, number]> = { 'CMU-1-Small-Region': [2220, 2967], 'skimage-ihc': [512, 512] };
    const [wl, hl] = sizes[(names[0] ?? '').split(' · ')[0] ?? ''] ?? [0, 0];
    const [wr, hr] = sizes[(names[1] ?? '').split(' · ')[0] ?? ''] ?? [0, 0];
    const ratio = Math.sqrt((wr / wl) * (hr / hl));
    assert.ok(ratio > 0 && Number.isFinite(ratio), `slides ${names}`);
    assert.match(await page.getByTestId('pair-match').innerText(), /from the image sizes/);
    // The right followed the left to the same place, scaled by the ratio (offset 0).
    assert.ok(Math.abs(((b2[2] ?? 0) * ratio) / (a[2] ?? 1) - 1) < 0.01, `right scale ${b2[2]} vs left ${a[2]}, ratio ${ratio}`);
    assert.ok(Math.abs((b2[0] ?? 0) - (a[0] ?? 0) * ratio) < 2 && Math.abs((b2[1] ?? 0) - (a[1] ?? 0) * ratio) < 2, `centres ${a} vs ${b2}`);
    // An offset (in left pixels) shifts the right slide against the left, at once.
    await page.getByLabel('Offset x (px)').fill('100');
    await page.waitForTimeout(1000);
    const [c, d] = await views();
    assert.ok(c && d && Math.abs((d[0] ?? 0) - ((c[0] ?? 0) + 100) * ratio) < 2 && Math.abs((d[1] ?? 0) - (c[1] ?? 0) * ratio) < 2, `offset 100: ${c} vs ${d}`);
    await screenshot(page, 'pair');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
