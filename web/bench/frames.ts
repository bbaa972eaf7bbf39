// The viewer benchmarks' harness: the browser's own frame clock
// (requestAnimationFrame deltas) read while the slide is dragged or
// wheel-zoomed, an overlay's drawing cost from its data-frame-ms, and the
// JS heap from CDP. Used by bench/viewer.ts (marks) and
// bench/suggestions.ts (a model's suggestions).

import type { CDPSession, Page } from 'playwright-core';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 6);

export interface Phase {
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
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** startClock records every animation frame's time and the overlay's cost, in the page. */
export async function startClock(page: Page, overlaySelector = '.mark-overlay'): Promise<void> {
  await page.evaluate((selector) => {
    const w = window as unknown as { __bench: { times: number[]; costs: number[]; drawn: number[]; on: boolean } };
    w.__bench = { times: [], costs: [], drawn: [], on: true };
    const overlay = document.querySelector<HTMLElement>(selector);
    const stats = document.querySelector<HTMLElement>('.viewer-stats');
    const tick = (t: number): void => {
      if (!w.__bench.on) return;
      w.__bench.times.push(t);
      w.__bench.costs.push(Number(overlay?.dataset['frameMs'] ?? 0));
      // An overlay that counts what it drew says so itself; the marks' count is in the stats line.
      w.__bench.drawn.push(Number(overlay?.dataset['drawn'] ?? /(\d+) points on screen/.exec(stats?.textContent ?? '')?.[1] ?? 0));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, overlaySelector);
}

export async function stopClock(page: Page, name: string): Promise<Phase> {
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
export async function pan(page: Page, cx: number, cy: number): Promise<void> {
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
export async function zoom(page: Page, cx: number, cy: number): Promise<void> {
  await page.mouse.move(cx, cy);
  const end = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    await page.mouse.wheel(0, Math.floor(i / 8) % 2 === 0 ? -120 : 120);
    await page.waitForTimeout(16);
  }
}

export async function heap(cdp: CDPSession): Promise<{ used: number; total: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const get = (n: string): number => metrics.find((m) => m.name === n)?.value ?? 0;
  return { used: get('JSHeapUsedSize'), total: get('JSHeapTotalSize') };
}

export const mb = (v: number): string => (v / 1024 / 1024).toFixed(1);

