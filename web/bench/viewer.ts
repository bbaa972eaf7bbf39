// Viewer benchmark: frame rate while panning and zooming over 50,000 point
// marks, measured with the browser's own frame clock (requestAnimationFrame
// deltas) in headless Chromium, and the JS heap (CDP Performance metrics).
// Run by scripts/bench/viewer.sh against a throwaway stack; loopback only,
// bounded in time.

import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { Api } from '../e2e/api';
import { openBrowser } from '../e2e/browser';
import { e2eEnv } from '../e2e/env';
import { benchSlide } from './slide';
import { heap, mb, pan, random, startClock, stopClock, zoom, type Phase } from './frames';

const env = e2eEnv();
const marks = Number(process.env['BENCH_MARKS'] ?? 50_000);
const slidePath = process.env['BENCH_SLIDE'] ?? join(env.testdata, 'slides', 'test3-DAPI-2-387.ndpi');

async function seed(api: Api): Promise<{ url: string; width: number; height: number }> {
  const s = await benchSlide(api, 'viewer', slidePath);
  const cats = s.categories;
  const rnd = random(42);
  for (let done = 0; done < marks; done += 10_000) {
    const features = [];
    for (let i = done; i < Math.min(marks, done + 10_000); i++) {
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [rnd() * s.width, rnd() * s.height] },
        properties: { category_id: cats[i % cats.length], radius: 6 },
      });
    }
    await api.post('/api/v1/annotations', { slide_id: s.slideId, features });
  }
  return { url: `${env.url}/projects/${s.projectId}/slides/${s.slideId}`, width: s.width, height: s.height };
}

/** pointsOnScreen is what the viewer's stats line says it drew (0 while it shows counts). */
async function pointsOnScreen(page: Page): Promise<number> {
  const text = (await page.locator('.viewer-stats').textContent()) ?? '';
  return Number(/(\d+) points on screen/.exec(text)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const b = await openBrowser(env, ['--enable-precise-memory-info']);
  try {
    const api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    const t0 = Date.now();
    const slide = await seed(api);
    console.log(`bench: slide ${basename(slidePath)} ${slide.width}×${slide.height} px with ${marks} point marks ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const page = b.page;
    page.setDefaultTimeout(120_000);
    const cdp = await b.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const loadStart = Date.now();
    await page.goto(slide.url);
    await page.locator('.viewer-stats', { hasText: `${marks} marks` }).waitFor();
    const loadSeconds = (Date.now() - loadStart) / 1000;
    const box = await page.locator('.viewer-stage').boundingBox();
    if (box === null) throw new Error('bench: no viewer on the page');
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.waitForTimeout(1000);
    let peak = (await heap(cdp)).used;
    const phases: Phase[] = [];
    const phase = async (name: string, act: () => Promise<void>): Promise<void> => {
      await startClock(page);
      await act();
      phases.push(await stopClock(page, name));
      peak = Math.max(peak, (await heap(cdp)).used);
    };
    await phase('pan, whole slide on screen', () => pan(page, cx, cy));
    await phase('zoom in and out (wheel)', () => zoom(page, cx, cy));
    await page.getByRole('button', { name: 'Fit slide to screen' }).click();
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForTimeout(800);
    await phase('pan, zoomed in 3.4×', () => pan(page, cx, cy));
    // A view whose region holds more marks than one request brings shows
    // counts per cell, so with many marks the phases above may draw none:
    // zoom on until the marks themselves are drawn, the most the viewer
    // ever draws one by one, and pan there.
    let steps = 3;
    while ((await pointsOnScreen(page)) === 0 && steps < 12) {
      await page.getByRole('button', { name: 'Zoom in' }).click();
      steps++;
      await page.waitForTimeout(1500);
    }
    if (steps > 3) await phase(`pan, marks drawn (${steps} zoom steps in)`, () => pan(page, cx, cy));
    await cdp.send('HeapProfiler.collectGarbage');
    const after = await heap(cdp);
    console.log(`bench: page ready with ${marks} marks in ${loadSeconds.toFixed(1)} s (fetch, parse, index, first draw)`);
    console.log('phase | frames | fps (rAF) | p50 ms | p95 ms | max ms | overlay draw ms (mean) | points on screen');
    for (const p of phases) {
      console.log(`${p.name} | ${p.frames} | ${p.fps.toFixed(1)} | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | ${p.max.toFixed(1)} | ${p.overlayMs.toFixed(2)} | ${p.drawn}`);
    }
    console.log(`bench: JS heap peak ${mb(peak)} MB used; after GC ${mb(after.used)} MB used of ${mb(after.total)} MB allocated`);
    console.log(`bench-json ${JSON.stringify({ marks, slide: basename(slidePath), loadSeconds, phases, heapPeakBytes: peak, heapAfterGcBytes: after.used })}`);
    if (b.pageErrors.length > 0) throw new Error(`bench: page errors: ${b.pageErrors.join('; ')}`);
  } finally {
    await b.close();
  }
}

await main();
