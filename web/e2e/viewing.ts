import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Api } from './api';

// Helpers for tests that look at the viewer page: where the slide is on
// the page, what the mark overlay says about the view, saving.

export interface Created {
  id: number;
}

export interface Aim {
  readonly overlay: { x: number; y: number; width: number; height: number };
  /** scale is screen pixels per image pixel now. */
  readonly scale: number;
  /** px maps a place on the slide (level-0 image pixels) to page coordinates. */
  px(x: number, y: number): [number, number];
}

/**
 * aim waits for the slide to be drawn and reads where it is on the page,
 * from the overlay's data-image-box (the slide's corners on screen).
 */
export async function aim(page: Page, width: number, height: number): Promise<Aim> {
  await page.waitForFunction(() => document.querySelector<HTMLElement>('.mark-overlay')?.dataset['imageBox'] !== undefined);
  await page.locator('.viewer-page[data-ready]').waitFor();
  const overlay = await page.locator('.mark-overlay').boundingBox();
  const imageBox = await page.locator('.mark-overlay').getAttribute('data-image-box');
  assert.ok(overlay && imageBox);
  const [x0, y0, x1, y1] = imageBox.split(',').map(Number) as [number, number, number, number];
  const scale = (x1 - x0) / width;
  return { overlay, scale, px: (x, y) => [overlay.x + x0 + (x1 - x0) * (x / width), overlay.y + y0 + (y1 - y0) * (y / height)] };
}

/** overlayData reads a data attribute of the mark overlay (lod, loaded, cells, tolerance, cell…). */
export async function overlayData(page: Page, name: string): Promise<string> {
  return (await page.locator('.mark-overlay').getAttribute(`data-${name}`)) ?? '';
}

/** waitForLod waits until the overlay shows this level of detail (marks, grid, grid-dense). */
export async function waitForLod(page: Page, lod: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction((want) => document.querySelector<HTMLElement>('.mark-overlay')?.dataset['lod'] === want, lod, { timeout });
}

export async function savedState(page: Page): Promise<void> {
  await page.locator('[data-testid=save-status][data-state=saved]').waitFor({ timeout: 20_000 });
}

/** canvasPixel reads a canvas's colour and alpha at a point of the page (CSS pixels). */
export async function canvasPixel(page: Page, selector: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([sel, px, py]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(sel);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return [];
      const r = canvas.getBoundingClientRect();
      const dpr = canvas.width / canvas.clientWidth;
      return Array.from(ctx.getImageData(Math.round((px - r.left) * dpr), Math.round((py - r.top) * dpr), 1, 1).data);
    },
    [selector, x, y] as const,
  );
}

export interface ServerFeature {
  id: number;
  geometry: { type: string; coordinates: unknown };
  properties: { category_id: number; shape: string; version: number; review: string; author_id: number };
}

export async function serverMarks(api: Api, slideId: number, box = '0,0,100000,100000'): Promise<ServerFeature[]> {
  const fc = await api.get<{ features: ServerFeature[] }>(`/api/v1/annotations?slide_id=${slideId}&bbox=${box}`);
  return fc.features;
}

/** random is a seeded generator, so every run places the same marks. */
export function random(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
