// Suggestions benchmark: a model posts 100,000 point suggestions on the
// largest test slide; in headless Chromium the suggestions layer is turned
// on (S) and the slide panned and wheel-zoomed, with the frame rate from the
// browser's own frame clock (requestAnimationFrame deltas), the layer's
// drawing cost, and the JS heap (CDP Performance metrics). It fails when a
// pan runs under BENCH_MIN_FPS (30). Run by scripts/bench/suggestions.sh;
// loopback only, bounded in time.

import { basename, join } from 'node:path';
import { Api } from '../e2e/api';
import { openBrowser } from '../e2e/browser';
import { e2eEnv } from '../e2e/env';
import { benchSlide } from './slide';
import { heap, mb, pan, random, startClock, stopClock, zoom, type Phase } from './frames';

const env = e2eEnv();
const count = Number(process.env['BENCH_SUGGESTIONS'] ?? 100_000);
const minFps = Number(process.env['BENCH_MIN_FPS'] ?? 30);
const slidePath = process.env['BENCH_SLIDE'] ?? join(env.testdata, 'slides', 'test3-DAPI-2-387.ndpi');
const overlay = '.suggestion-overlay';

async function seed(api: Api): Promise<{ url: string; width: number; height: number }> {
  const s = await benchSlide(api, 'suggestions', slidePath);
  const cats = s.categories;
  const rnd = random(42);
  for (let done = 0; done < count; done += 10_000) {
    const features = [];
    for (let i = done; i < Math.min(count, done + 10_000); i++) {
      const p = rnd();
      const [a, b, c] = [cats[i % 3], cats[(i + 1) % 3], cats[(i + 2) % 3]] as [number, number, number];
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [rnd() * s.width, rnd() * s.height] },
        properties: { radius: 6, scores: { [a]: 0.5 + p / 2, [b]: (1 - p) / 3, [c]: (1 - p) / 6 } },
      });
    }
    await api.post('/api/v1/annotations/suggestions', { slide_id: s.slideId, model: { name: 'bench', version: 'v1' }, features });
  }
  return { url: `${env.url}/projects/${s.projectId}/slides/${s.slideId}`, width: s.width, height: s.height };
}

async function main(): Promise<void> {
  const b = await openBrowser(env, ['--enable-precise-memory-info']);
  try {
    const api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    const t0 = Date.now();
    const slide = await seed(api);
    console.log(`bench: slide ${basename(slidePath)} ${slide.width}×${slide.height} px with ${count} point suggestions ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const page = b.page;
    page.setDefaultTimeout(180_000);
    const cdp = await b.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(slide.url);
    await page.locator('.viewer-page[data-ready]').waitFor();
    const loadStart = Date.now();
    await page.keyboard.press('s');
    // The whole slide is in view: every suggestion is loaded and held.
    await page.waitForFunction((n) => document.querySelector<HTMLElement>('.suggestion-overlay')?.dataset['held'] === String(n), count);
    const loadSeconds = (Date.now() - loadStart) / 1000;
    const box = await page.locator('.viewer-stage').boundingBox();
    if (box === null) throw new Error('bench: no viewer on the page');
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.waitForTimeout(1000);
    let peak = (await heap(cdp)).used;
    const phases: Phase[] = [];
    const phase = async (name: string, act: () => Promise<void>): Promise<void> => {
      await startClock(page, overlay);
      await act();
      phases.push(await stopClock(page, name));
      peak = Math.max(peak, (await heap(cdp)).used);
    };
    await phase('pan, whole slide on screen', () => pan(page, cx, cy));
    await phase('zoom in and out (wheel)', () => zoom(page, cx, cy));
    await page.getByRole('button', { name: 'Fit slide to screen' }).click();
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForTimeout(1500);
    await phase('pan, zoomed in 3.4×', () => pan(page, cx, cy));
    await cdp.send('HeapProfiler.collectGarbage');
    const after = await heap(cdp);
    console.log(`bench: ${count} suggestions loaded and held in ${loadSeconds.toFixed(1)} s after S (fetch in boxes, parse, index, first draw)`);
    console.log('phase | frames | fps (rAF) | p50 ms | p95 ms | max ms | layer draw ms (mean) | suggestions drawn (view and a quarter more each side)');
    for (const p of phases) {
      console.log(`${p.name} | ${p.frames} | ${p.fps.toFixed(1)} | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | ${p.max.toFixed(1)} | ${p.overlayMs.toFixed(2)} | ${p.drawn}`);
    }
    console.log(`bench: JS heap peak ${mb(peak)} MB used; after GC ${mb(after.used)} MB used of ${mb(after.total)} MB allocated`);
    console.log(`bench-json ${JSON.stringify({ suggestions: count, slide: basename(slidePath), loadSeconds, phases, heapPeakBytes: peak, heapAfterGcBytes: after.used })}`);
    if (b.pageErrors.length > 0) throw new Error(`bench: page errors: ${b.pageErrors.join('; ')}`);
    const slow = phases.filter((p) => p.name.startsWith('pan') && p.fps < minFps);
    if (slow.length > 0) throw new Error(`bench: under ${minFps} fps: ${slow.map((p) => `${p.name} ${p.fps.toFixed(1)} fps`).join('; ')}`);
  } finally {
    await b.close();
  }
}

await main();
