import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CDPSession } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';
import { aim, canvasPixel, overlayData, random, savedState, serverMarks, waitForLod, type Created } from './viewing';

const env = e2eEnv();

// CMU-1-Small-Region.svs: 2220×2967 px.
const width = 2220;
const height = 2967;
const points = 60_000;
// The points fill the top of the slide; a many-cornered shape sits alone below them.
const pointsBelow = 1900;
const circle = { x: 1110, y: 2500, r: 200, corners: 240 };
const tumour = { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' };
const lymphocyte = { class_id: 2, name: 'Lymphocyte', color: '#1f77b4', shortcut: '2' };

/** hex reads #rrggbb into [r, g, b]. */
const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const near = (a: number[], b: number[], tol: number): boolean => a.length >= 3 && b.every((v, i) => Math.abs((a[i] ?? -999) - v) <= tol);

describe('level of detail: a slide with more marks than one request may bring', () => {
  let b: Browser;
  let api: Api;
  let cdp: CDPSession;
  let slideId = 0;
  let url = '';
  let shapeId = 0;
  const requests: string[] = [];
  const thinned: number[] = [];
  const run = Date.now().toString(36);

  before(async () => {
    b = await openBrowser(env, ['--enable-precise-memory-info']);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    const projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e lod ${run}`, description: 'made by the e2e suite' })).id;
    const cats: number[] = [];
    for (const c of [tumour, lymphocyte]) cats.push((await api.post<Created>(`/api/v1/projects/${projectId}/categories`, c)).id);
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'slides', 'CMU-1-Small-Region.svs'), { name: `many marks ${run}` });
    const rnd = random(11);
    for (let done = 0; done < points; done += 10_000) {
      const features = [];
      for (let i = done; i < done + 10_000; i++) {
        features.push({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [rnd() * width, rnd() * pointsBelow] },
          properties: { category_id: cats[i % 2], radius: 6 },
        });
      }
      await api.post('/api/v1/annotations', { slide_id: slideId, features });
    }
    const ring: [number, number][] = [];
    for (let i = 0; i < circle.corners; i++) {
      const a = (2 * Math.PI * i) / circle.corners;
      ring.push([Math.round((circle.x + circle.r * Math.cos(a)) * 10) / 10, Math.round((circle.y + circle.r * Math.sin(a)) * 10) / 10]);
    }
    ring.push(ring[0] as [number, number]);
    const made = await api.post<{ features: { id: number }[] }>('/api/v1/annotations', {
      slide_id: slideId,
      features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { category_id: cats[0], shape: 'polygon' } }],
    });
    shapeId = made.features[0]?.id ?? 0;
    url = `${env.url}/projects/${projectId}/slides/${slideId}`;
    b.page.on('request', (r) => {
      if (r.url().includes('/api/v1/annotations')) requests.push(r.url());
    });
    // What the viewer got for the shape when it asked thinned outlines.
    b.page.on('response', async (r) => {
      if (!r.url().includes('lod=simplify')) return;
      const fc = (await r.json().catch(() => null)) as { features?: { id: number; geometry: { coordinates: unknown[][] } }[] } | null;
      for (const f of fc?.features ?? []) if (f.id === shapeId) thinned.push(f.geometry.coordinates[0]?.length ?? 0);
    });
    cdp = await b.context.newCDPSession(b.page);
    await cdp.send('Performance.enable');
  });

  after(async () => {
    await b?.close();
  });

  it('draws the whole slide as counts per cell in the category colours, holding no mark', async () => {
    const { page } = b;
    await page.goto(url);
    await waitForLod(page, 'grid-dense');
    assert.equal(await overlayData(page, 'loaded'), '0');
    assert.ok(Number(await overlayData(page, 'cells')) > 0);
    assert.ok(Number(await overlayData(page, 'labels')) > 0, 'the counts are written in the cells');
    // No request asked the marks themselves: the counts said there were too many.
    assert.deepEqual(requests.filter((r) => r.includes('/api/v1/annotations?') && !r.includes('lod=grid')), []);
    // The palette counts the whole slide, from the service's counts.
    await page.getByLabel('Tumour cell marks').filter({ hasText: String(points / 2 + 1) }).waitFor();
    assert.equal(await page.getByLabel('Lymphocyte marks').textContent(), String(points / 2));
    await page.locator('.viewer-stats', { hasText: `${points + 1} marks` }).waitFor();
    // The cell at the origin: its left part in the first category's colour, its right part in the second's.
    const cell = Number(await overlayData(page, 'cell'));
    const { px } = await aim(page, width, height);
    const left = await canvasPixel(page, '.density-layer', ...px(cell * 0.2, cell * 0.75));
    const right = await canvasPixel(page, '.density-layer', ...px(cell * 0.8, cell * 0.75));
    assert.ok(near(left, rgb(tumour.color), 6) && (left[3] ?? 0) > 100, `left of cell 0: ${left}`);
    assert.ok(near(right, rgb(lymphocyte.color), 6) && (right[3] ?? 0) > 100, `right of cell 0: ${right}`);
    // Nothing drawn where there are no marks.
    const empty = await canvasPixel(page, '.density-layer', ...px(100, 2900));
    assert.equal(empty[3], 0, `below the marks: ${empty}`);
    await screenshot(page, 'viewer-density');
    const heap = await usedHeap(cdp);
    console.log(`lod: JS heap ${(heap / 1e6).toFixed(1)} MB with ${points + 1} marks on the slide, shown as counts`);
    assert.ok(heap < 300e6, `heap ${heap}`);
  });

  it('shows the real marks when zoomed in where they fit, shapes thinned to the screen', async () => {
    const { page } = b;
    let { px } = await aim(page, width, height);
    await page.mouse.move(...px(circle.x, circle.y));
    for (let i = 0; i < 12 && (await overlayData(page, 'lod')) !== 'marks'; i++) {
      await page.mouse.wheel(0, -120);
      await page.waitForTimeout(700);
    }
    await waitForLod(page, 'marks');
    const loaded = Number(await overlayData(page, 'loaded'));
    assert.ok(loaded > 0 && loaded < points, `loaded ${loaded}`);
    ({ px } = await aim(page, width, height));
    const { scale } = await aim(page, width, height);
    assert.ok(scale < 1, `scale ${scale}`);
    const tolerance = Number(await overlayData(page, 'tolerance'));
    assert.ok(tolerance > 0 && tolerance * scale <= 0.5, `tolerance ${tolerance} px at scale ${scale}`);
    assert.ok(requests.some((r) => r.includes(`lod=simplify&tolerance=${tolerance}`)), 'marks asked thinned');
    await api.until('the thinned shape to be read', 5000, async () => (thinned.length > 0 ? true : undefined));
    assert.ok(thinned.length > 0 && (thinned.at(-1) ?? 0) < circle.corners + 1, `shape came with ${thinned.at(-1)} of ${circle.corners + 1} positions`);
    await page.locator('.viewer-stats', { hasText: `${points + 1} marks, ${loaded} loaded around the view` }).waitFor();
    await screenshot(page, 'viewer-lod-marks');
  });

  it('moves a shape held thinned by its exact outline, every corner kept', async () => {
    const { page } = b;
    const [before] = await serverMarks(api, slideId, '800,2200,1400,2800');
    assert.equal(before?.id, shapeId);
    const ringBefore = (before?.geometry.coordinates as number[][][])[0] ?? [];
    const exactAsked = requests.length;
    await page.keyboard.press('v');
    const { px, scale } = await aim(page, width, height);
    const [x, y] = px(circle.x, circle.y);
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 40, y + 20, { steps: 8 });
    await page.mouse.up();
    await savedState(page);
    // The exact outline was fetched before the edit.
    assert.ok(requests.slice(exactAsked).some((r) => r.endsWith(`/api/v1/annotations/${shapeId}`)), 'exact mark loaded');
    const [moved] = await serverMarks(api, slideId, '800,2200,1500,2900');
    assert.equal(moved?.properties.version, 2);
    const ring = (moved?.geometry.coordinates as number[][][])[0] ?? [];
    assert.equal(ring.length, circle.corners + 1);
    const [dx, dy] = [(ring[0]?.[0] ?? 0) - (ringBefore[0]?.[0] ?? 0), (ring[0]?.[1] ?? 0) - (ringBefore[0]?.[1] ?? 0)];
    assert.ok(Math.abs(dx - 40 / scale) < 3 / scale && Math.abs(dy - 20 / scale) < 3 / scale, `moved by ${dx},${dy} at scale ${scale}`);
    ring.forEach((p, i) => {
      const q = ringBefore[i] ?? [];
      assert.ok(Math.abs((p[0] ?? 0) - (q[0] ?? 0) - dx) < 0.01 && Math.abs((p[1] ?? 0) - (q[1] ?? 0) - dy) < 0.01, `corner ${i}`);
    });
    // The panel says what is selected.
    await page.getByTestId('mark-info').filter({ hasText: `Polygon, Tumour cell, ${circle.corners} vertices` }).waitFor();
  });

  it('goes back to counts, letting the marks go, when zoomed out again', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Fit slide to screen' }).click();
    await waitForLod(page, 'grid-dense');
    assert.equal(await overlayData(page, 'loaded'), '0');
    await page.locator('.viewer-stats', { hasText: `${points + 1} marks, shown as counts per area` }).waitFor();
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});

async function usedHeap(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
}
