import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';
import type { Created } from './viewing';

const env = e2eEnv();

interface View {
  x: number;
  y: number;
  scale: number;
}

/** views reads where each half looks: the image position at its centre and its scale. */
async function views(page: Page): Promise<[View, View]> {
  const raw = await page.locator('.pair-stage').evaluateAll((els) => els.map((e) => ((e as HTMLElement).dataset['view'] ?? '').split(',').map(Number)));
  const [a, b] = raw.map(([x = NaN, y = NaN, scale = NaN]) => ({ x, y, scale }));
  assert.ok(a && b);
  return [a, b];
}

/** settled waits until neither half moves any more (OpenSeadragon animates). */
async function settled(page: Page): Promise<[View, View]> {
  let last = JSON.stringify(await views(page));
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(250);
    const now = JSON.stringify(await views(page));
    if (now === last) return views(page);
    last = now;
  }
  throw new Error('e2e: the side-by-side views kept moving');
}

/** follows checks that the right half shows what the left shows: positions and scale by ratio, offset in left pixels. */
function follows(l: View, r: View, ratio: number, offset = { x: 0, y: 0 }): void {
  const what = `left ${JSON.stringify(l)}, right ${JSON.stringify(r)}, ratio ${ratio}`;
  // data-view has one decimal for positions and six for the scale.
  assert.ok(Math.abs(r.x - (l.x + offset.x) * ratio) < 0.5 * ratio + 0.2, `x: ${what}`);
  assert.ok(Math.abs(r.y - (l.y + offset.y) * ratio) < 0.5 * ratio + 0.2, `y: ${what}`);
  assert.ok(Math.abs((r.scale * ratio) / l.scale - 1) < 2e-3, `scale: ${what}`);
}

describe('side by side: the same tissue, the same physical size, on slides of different resolutions', () => {
  let b: Browser;
  let api: Api;
  let url = '';
  let ratio = 0;
  let slides: [number, number] = [0, 0];
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    const projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e pair ${run}`, description: 'made by the e2e suite' })).id;
    const svs = await api.uploadSlide(projectId, join(env.testdata, 'slides', 'CMU-1-Small-Region.svs'), { stain: 'H&E', case_id: `case-${run}` });
    const ndpi = await api.uploadSlide(projectId, join(env.testdata, 'slides', 'test3-DAPI-2-387.ndpi'), { stain: 'DAPI', case_id: `case-${run}` });
    const [a, c] = await Promise.all([svs, ndpi].map((id) => api.get<{ mpp_x?: number }>(`/api/v1/slides/${id}`)));
    // The scanners' values (testdata README): 0.499 and 0.22818 µm per pixel.
    assert.ok(Math.abs((a?.mpp_x ?? 0) - 0.499) < 1e-3 && Math.abs((c?.mpp_x ?? 0) - 0.22818) < 1e-4, `mpp ${a?.mpp_x}, ${c?.mpp_x}`);
    ratio = (a?.mpp_x ?? 0) / (c?.mpp_x ?? 1);
    url = `${env.url}/projects/${projectId}/pair/${svs}/${ndpi}`;
    const cat = (await api.post<Created>(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' })).id;
    await api.post('/api/v1/annotations', { slide_id: svs, features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [1110, 1480] }, properties: { category_id: cat } }] });
    slides = [svs, ndpi];
  });

  after(async () => {
    await b?.close();
  });

  it('matches the halves by microns per pixel and says so', async () => {
    const { page } = b;
    await page.goto(url);
    await page.getByTestId('pair-match').filter({ hasText: 'same physical size, from microns per pixel' }).waitFor();
    assert.match(await page.getByTestId('pair-match').innerText(), /1 px left = 2\.19 px right/);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('.pair-stage')].every((e) => e.dataset['view'] !== undefined));
    const [l, r] = await settled(page);
    follows(l, r, ratio);
  });

  it("shows each slide's marks in its own half, and marks either half", async () => {
    const { page } = b;
    await page.locator('.pair-page[data-ready]').waitFor({ timeout: 20_000 });
    const half = (i: number): ReturnType<Page['locator']> => page.locator(`.pair-half[data-pane="${i}"]`);
    await half(0).locator('.viewer-stats', { hasText: '1 marks' }).waitFor();
    await half(1).locator('.viewer-stats', { hasText: '0 marks' }).waitFor();
    // The keys go to the half last pointed at: the right one here.
    const box = await half(1).locator('.pair-stage').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.press('p');
    assert.equal(await half(1).getByRole('button', { name: 'Point marker' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await half(0).getByRole('button', { name: 'Point marker' }).getAttribute('aria-pressed'), 'false');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await half(1).locator('.viewer-stats', { hasText: '1 marks' }).waitFor();
    await half(1).locator('[data-testid=save-status][data-state=saved]').waitFor({ timeout: 20_000 });
    const on = async (slide: number): Promise<number> =>
      (await api.get<{ features: unknown[] }>(`/api/v1/annotations?slide_id=${slide}&bbox=0,0,100000,100000`)).features.length;
    assert.deepEqual([await on(slides[0]), await on(slides[1])], [1, 1]);
    await page.keyboard.press('h');
    await screenshot(page, 'pair-marks');
  });

  it('moves the right half by the ratio when the left is dragged, and zooms it alike', async () => {
    const { page } = b;
    const box = await page.locator('.pair-stage').first().boundingBox();
    assert.ok(box);
    const [l0, r0] = await settled(page);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -120);
    const [l1, r1] = await settled(page);
    assert.ok(l1.scale > l0.scale * 1.3, `zoomed in: ${l0.scale} -> ${l1.scale}`);
    follows(l1, r1, ratio);
    assert.ok(Math.abs(r1.scale / r0.scale - l1.scale / l0.scale) < 2e-3, 'both zoomed by the same factor');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 6 });
    await page.mouse.up();
    const [l2, r2] = await settled(page);
    follows(l2, r2, ratio);
    // The drag moved the left by 120×60 screen pixels, the right by the same field of tissue.
    assert.ok(Math.abs(l2.x - l1.x - 120 / l1.scale) < 2 / l1.scale, `left moved ${l2.x - l1.x}`);
    assert.ok(Math.abs(r2.x - r1.x - (l2.x - l1.x) * ratio) < 1, `right moved ${r2.x - r1.x} for ${l2.x - l1.x}`);
    assert.ok(Math.abs(r2.y - r1.y - (l2.y - l1.y) * ratio) < 1, `right moved ${r2.y - r1.y} for ${l2.y - l1.y}`);
  });

  it('keeps the offset, in left pixels, and lets the right half lead', async () => {
    const { page } = b;
    await page.getByLabel('Offset x (px)').fill('100');
    await page.getByLabel('Offset y (px)').fill('-40');
    const [l, r] = await settled(page);
    follows(l, r, ratio, { x: 100, y: -40 });
    const box = await page.locator('.pair-stage').nth(1).boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 50, { steps: 6 });
    await page.mouse.up();
    const [l2, r2] = await settled(page);
    assert.ok(Math.abs(r2.x - r.x + 80 / r.scale) < 2 / r.scale, `right moved ${r2.x - r.x}`);
    follows(l2, r2, ratio, { x: 100, y: -40 });
    await screenshot(page, 'pair-mpp');
  });

  it('goes pixel for pixel when the user asks', async () => {
    const { page } = b;
    await page.getByLabel('Match by').selectOption('pixels');
    await page.getByTestId('pair-match').filter({ hasText: 'pixel for pixel' }).waitFor();
    const [l, r] = await settled(page);
    // The right led last.
    assert.ok(Math.abs(l.x - (r.x - 100)) < 0.2 && Math.abs(l.y - (r.y + 40)) < 0.2 && Math.abs(l.scale / r.scale - 1) < 2e-3, `${JSON.stringify([l, r])}`);
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
