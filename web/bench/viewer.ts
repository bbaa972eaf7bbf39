// Viewer benchmark: frame rate while panning and zooming over 50,000 point
// marks, measured with the browser's own frame clock (requestAnimationFrame
// deltas) in headless Chromium, and the JS heap (CDP Performance metrics).
// Run by scripts/bench/viewer.sh against a throwaway stack; loopback only,
// bounded in time.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { Api } from '../e2e/api';
import { openBrowser } from '../e2e/browser';
import { e2eEnv } from '../e2e/env';

const env = e2eEnv();
const marks = Number(process.env['BENCH_MARKS'] ?? 50_000);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 6);
const slidePath = process.env['BENCH_SLIDE'] ?? join(env.testdata, 'slides', 'test3-DAPI-2-387.ndpi');

interface Created {
  id: number;
}

interface Phase {
  readonly name: string;
  readonly frames: number;
  readonly fps: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly overlayMs: number;
  readonly drawn: number;
}

/** mulberry32: a seeded generator, so every run places the same marks. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function seed(api: Api): Promise<{ url: string; width: number; height: number }> {
  const run = Date.now().toString(36);
  const project = await api.post<Created>('/api/v1/projects', { name: `bench viewer ${run}`, description: 'viewer benchmark' });
  const cats: number[] = [];
  for (const [i, color] of ['#e6194b', '#1f77b4', '#2ca02c'].entries()) {
    cats.push((await api.post<Created>(`/api/v1/projects/${project.id}/categories`, { class_id: i + 1, name: `class ${i + 1}`, color })).id);
  }
  const slide = await api.upload<Created>('/api/v1/slides', {
    project_id: String(project.id),
    name: basename(slidePath),
    file: { name: basename(slidePath), mimeType: 'application/octet-stream', buffer: readFileSync(slidePath) },
  });
  const s = await api.until('the slide to be tiled', 300_000, async () => {
    const got = await api.get<{ status: string; width: number; height: number; error?: string }>(`/api/v1/slides/${slide.id}`);
    if (got.status === 'failed') throw new Error(`bench: slide failed: ${got.error ?? ''}`);
    return got.status === 'ready' ? got : undefined;
  });
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
    await api.post('/api/v1/annotations', { slide_id: slide.id, features });
  }
  return { url: `${env.url}/projects/${project.id}/slides/${slide.id}`, width: s.width, height: s.height };
}

/** startClock records every animation frame's time and the overlay's cost, in the page. */
async function startClock(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __bench: { times: number[]; costs: number[]; drawn: number[]; on: boolean } };
    w.__bench = { times: [], costs: [], drawn: [], on: true };
    const overlay = document.querySelector<HTMLElement>('.mark-overlay');
    const stats = document.querySelector<HTMLElement>('.viewer-stats');
    const tick = (t: number): void => {
      if (!w.__bench.on) return;
      w.__bench.times.push(t);
      w.__bench.costs.push(Number(overlay?.dataset['frameMs'] ?? 0));
      w.__bench.drawn.push(Number(/(\d+) points on screen/.exec(stats?.textContent ?? '')?.[1] ?? 0));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopClock(page: Page, name: string): Promise<Phase> {
  const got = await page.evaluate(() => {
    const w = window as unknown as { __bench: { times: number[]; costs: number[]; drawn: number[]; on: boolean } };
    w.__bench.on = false;
    return w.__bench;
  });
  const deltas = got.times.slice(1).map((t, i) => t - (got.times[i] as number)).sort((a, b) => a - b);
  const pick = (q: number): number => deltas[Math.min(deltas.length - 1, Math.floor(q * deltas.length))] ?? 0;
  const span = (got.times.at(-1) ?? 0) - (got.times[0] ?? 0);
  return {
    name,
    frames: deltas.length,
    fps: span > 0 ? (deltas.length * 1000) / span : 0,
    p50: pick(0.5),
    p95: pick(0.95),
    max: deltas.at(-1) ?? 0,
    overlayMs: got.costs.reduce((a, b) => a + b, 0) / Math.max(1, got.costs.length),
    drawn: Math.max(...got.drawn, 0),
  };
}

/** pan drags the slide in circles for the phase's duration. */
async function pan(page: Page, cx: number, cy: number): Promise<void> {
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const end = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    const a = i / 10;
    await page.mouse.move(cx + 150 * Math.cos(a), cy + 100 * Math.sin(a));
  }
  await page.mouse.up();
}

/** zoom wheels in and out around the centre for the phase's duration. */
async function zoom(page: Page, cx: number, cy: number): Promise<void> {
  await page.mouse.move(cx, cy);
  const end = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    await page.mouse.wheel(0, Math.floor(i / 8) % 2 === 0 ? -120 : 120);
    await page.waitForTimeout(16);
  }
}

async function heap(cdp: CDPSession): Promise<{ used: number; total: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const get = (n: string): number => metrics.find((m) => m.name === n)?.value ?? 0;
  return { used: get('JSHeapUsedSize'), total: get('JSHeapTotalSize') };
}

const mb = (v: number): string => (v / 1024 / 1024).toFixed(1);

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
