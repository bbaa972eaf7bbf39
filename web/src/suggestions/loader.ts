import type { Suggestion } from '../api/suggestions';

/** Region is a box of the slide in level-0 pixels: x0, y0, x1, y1. */
export type Region = readonly [number, number, number, number];

/** Page is one answer of the suggestions in a box; truncated when the server held back more. */
export interface Page {
  readonly features: readonly Suggestion[];
  readonly truncated: boolean;
}

export type Lister = (box: Region) => Promise<Page>;

/** Loaded is what a region held: its suggestions, and whether all of them came (complete). */
export interface Loaded {
  readonly list: Suggestion[];
  readonly complete: boolean;
}

/**
 * loadRegion reads every suggestion in a region although the server answers
 * at most `limit` a request: a box that comes back truncated is read again
 * as its four quarters, down to `depth` splits. `expected` (the slide's
 * undecided count, when known) splits large regions up front, so 100,000
 * suggestions cost a few requests of ≤ limit, not a wasted full one first.
 * A suggestion on a border between boxes comes twice and is kept once.
 */
export async function loadRegion(list: Lister, region: Region, limit: number, expected = 0, depth = 8): Promise<Loaded> {
  const seen = new Map<number, Suggestion>();
  let complete = true;
  const walk = async (box: Region, left: number): Promise<void> => {
    const page = await list(box);
    if (page.truncated && left > 0) {
      await Promise.all(quarters(box).map((q) => walk(q, left - 1)));
      return;
    }
    if (page.truncated) complete = false;
    for (const s of page.features) seen.set(s.id, s);
  };
  let boxes: Region[] = [region];
  // Each box should hold about half a request's worth.
  for (let n = expected; n > limit / 2 && boxes.length < 256; n /= 4) boxes = boxes.flatMap(quarters);
  await Promise.all(boxes.map((b) => walk(b, depth)));
  return { list: [...seen.values()], complete };
}

/** quarters cuts a box in four; edges are shared, the server's box test includes them. */
export function quarters([x0, y0, x1, y1]: Region): Region[] {
  const mx = (x0 + x1) / 2;
  const my = (y0 + y1) / 2;
  return [
    [x0, y0, mx, my],
    [mx, y0, x1, my],
    [x0, my, mx, y1],
    [mx, my, x1, y1],
  ];
}

/** around grows the view by a quarter each side, within the slide: small pans need no new load. */
export function around([x0, y0, x1, y1]: Region, width: number, height: number): Region {
  const gx = (x1 - x0) / 4;
  const gy = (y1 - y0) / 4;
  return [Math.max(0, x0 - gx), Math.max(0, y0 - gy), Math.min(width, x1 + gx), Math.min(height, y1 + gy)];
}

/** covers tells whether the loaded region holds the view. */
export function covers(loaded: Region | null, view: Region): boolean {
  return loaded !== null && loaded[0] <= view[0] && loaded[1] <= view[1] && loaded[2] >= view[2] && loaded[3] >= view[3];
}
