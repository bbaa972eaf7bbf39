import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();

interface Feature {
  id: number;
  geometry: { type: string; coordinates: unknown };
  properties: { shape?: string; version: number };
}

describe('polylines, the brush, and corners added and removed', () => {
  let b: Browser;
  let api: Api;
  let slideId = 0;
  let projectId = 0;
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<{ id: number }>('/api/v1/projects', { name: `e2e shapes ${run}`, description: 'made by the e2e suite' })).id;
    await api.post(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Gland', color: '#e6194b', shortcut: '1' });
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'skimage-ihc.png'), { name: `shapes ${run}` });
  });

  after(async () => {
    await b?.close();
  });

  const marks = async (): Promise<Feature[]> =>
    (await api.get<{ features: Feature[] }>(`/api/v1/annotations?slide_id=${slideId}&bbox=0,0,100000,100000`)).features;
  const saved = (): Promise<void> => b.page.locator('[data-testid=save-status][data-state=saved]').waitFor({ timeout: 20_000 });

  it('draws a polyline, stored as a LineString', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}/slides/${slideId}`);
    const { at } = await aim(b);
    await page.keyboard.press('1');
    await page.keyboard.press('l');
    for (const [u, v] of [[0.1, 0.1], [0.3, 0.2], [0.5, 0.1]] as const) await page.mouse.click(...at(u, v));
    await page.keyboard.press('Enter');
    await page.locator('.viewer-stats', { hasText: '1 mark' }).waitFor();
    await saved();
    const [line] = await marks();
    assert.equal(line?.geometry.type, 'LineString');
    assert.equal((line?.geometry.coordinates as unknown[]).length, 3);
  });

  it('paints with the brush into one polygon', async () => {
    const { page } = b;
    const { at } = await aim(b);
    await page.keyboard.press('b');
    await page.mouse.move(...at(0.2, 0.6));
    await page.mouse.down();
    await page.mouse.move(...at(0.5, 0.6), { steps: 10 });
    await page.mouse.move(...at(0.5, 0.8), { steps: 10 });
    await page.mouse.up();
    await page.locator('.viewer-stats', { hasText: '2 marks' }).waitFor();
    await saved();
    const brush = (await marks()).find((m) => m.geometry.type === 'Polygon');
    assert.ok(brush, 'a polygon');
    assert.ok((brush.geometry.coordinates as unknown[][])[0]!.length > 8, 'a rounded outline');
  });

  it('adds a corner with a double click on an edge and removes it with Alt+click', async () => {
    const { page } = b;
    const { at } = await aim(b);
    await page.keyboard.press('g');
    for (const [u, v] of [[0.7, 0.3], [0.9, 0.3], [0.9, 0.5], [0.7, 0.5]] as const) await page.mouse.click(...at(u, v));
    await page.keyboard.press('Enter');
    await page.locator('.viewer-stats', { hasText: '3 marks' }).waitFor();
    await page.keyboard.press('v');
    await page.mouse.click(...at(0.8, 0.3));
    await page.mouse.dblclick(...at(0.8, 0.3));
    await saved();
    const corners = async (): Promise<number> => {
      const poly = (await marks()).find((m) => m.properties.shape === 'polygon' && (m.geometry.coordinates as unknown[][])[0]!.length <= 6);
      return ((poly?.geometry.coordinates as unknown[][])[0]?.length ?? 0) - 1;
    };
    await api.until('a fifth corner', 10_000, async () => ((await corners()) === 5 ? true : undefined));
    await page.keyboard.down('Alt');
    await page.mouse.click(...at(0.8, 0.3));
    await page.keyboard.up('Alt');
    await saved();
    await api.until('four corners again', 10_000, async () => ((await corners()) === 4 ? true : undefined));
    assert.equal(await page.getByRole('alert').count(), 0);
    await screenshot(page, 'viewer-brush-polyline');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});

async function aim(b: Browser): Promise<{ at(u: number, v: number): [number, number] }> {
  await b.page.waitForFunction(() => document.querySelector<HTMLElement>('.mark-overlay')?.dataset['imageBox'] !== undefined);
  await b.page.locator('.viewer-page[data-ready]').waitFor();
  const overlay = await b.page.locator('.mark-overlay').boundingBox();
  const imageBox = await b.page.locator('.mark-overlay').getAttribute('data-image-box');
  assert.ok(overlay && imageBox);
  const [x0, y0, x1, y1] = imageBox.split(',').map(Number) as [number, number, number, number];
  return { at: (u, v) => [overlay.x + x0 + (x1 - x0) * u, overlay.y + y0 + (y1 - y0) * v] };
}
