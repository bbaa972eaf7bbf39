// Level of detail: what the viewer asks the annotation service for at a
// given zoom. Pure arithmetic, so the choices can be tested without a
// browser; the loader (loader.ts) acts on them.

import { countCell, type BBox, type GridCounts } from '../api/annotations';
import type { Rect } from '../viewer/geometry';

export interface LodOptions {
  /** markRadius is the usual point radius in image pixels (the default marker size). */
  readonly markRadius: number;
  /** Below this many screen pixels across, a mark is a speck: the view shows counts per cell instead. */
  readonly densityBelow: number;
  /** limit is the most marks one request may bring; more in the region means counts instead. */
  readonly limit: number;
  /** minCellPx keeps a count cell wide enough on screen for its number to be read. */
  readonly minCellPx: number;
  /** margin grows the loaded region beyond the view by this fraction of its size, so small pans need no request. */
  readonly margin: number;
  /** snap rounds the loaded region out to multiples of this many image pixels. */
  readonly snap: number;
}

export const defaultLodOptions: LodOptions = {
  markRadius: 8,
  densityBelow: 1,
  // The annotation service's default cap on one query (PATHOLABEL_ANNOTATION_MAX_RESULTS).
  limit: 50_000,
  minCellPx: 48,
  margin: 0.25,
  snap: 256,
};

/** Detail is what to load: counts per cell of `cell` pixels, or marks thinned to `tolerance` pixels (0: exact). */
export type Detail = { readonly kind: 'grid'; readonly cell: number } | { readonly kind: 'marks'; readonly tolerance: number };

/** The largest count cell asked for: 2^20 px is wider than any slide the service accepts. */
const maxCell = 1 << 20;

/** detailFor picks counts when a usual mark would be narrower than densityBelow screen pixels, marks otherwise. */
export function detailFor(scale: number, opts: LodOptions = defaultLodOptions): Detail {
  if (2 * opts.markRadius * scale < opts.densityBelow) return { kind: 'grid', cell: cellFor(scale, opts.minCellPx) };
  return { kind: 'marks', tolerance: toleranceFor(scale) };
}

/** cellFor is the smallest count cell (1024 px times a power of two) at least minCellPx wide on screen. */
export function cellFor(scale: number, minCellPx: number): number {
  let cell = countCell;
  while (cell * scale < minCellPx && cell < maxCell) cell *= 2;
  return cell;
}

/**
 * toleranceFor is how far (image pixels) a thinned outline may stray from
 * the real one without a visible difference: at most half a screen pixel,
 * rounded down to a power of two so small zooms reuse what is loaded. 0
 * (exact shapes) once an image pixel spans a screen pixel or more.
 */
export function toleranceFor(scale: number): number {
  const pixel = 1 / scale;
  if (!(pixel > 1) || !Number.isFinite(pixel)) return 0;
  return 2 ** Math.floor(Math.log2(pixel)) / 2;
}

/**
 * regionFor is the image box to load for a view: the visible box grown by
 * the margin, rounded out to multiples of snap, inside the slide.
 */
export function regionFor(view: Rect, slide: { width: number; height: number }, margin: number, snap: number): BBox {
  const mx = view.width * margin;
  const my = view.height * margin;
  const clampX = (v: number): number => Math.min(Math.max(v, 0), slide.width);
  const clampY = (v: number): number => Math.min(Math.max(v, 0), slide.height);
  return {
    x0: clampX(Math.floor((view.x - mx) / snap) * snap),
    y0: clampY(Math.floor((view.y - my) / snap) * snap),
    x1: clampX(Math.ceil((view.x + view.width + mx) / snap) * snap),
    y1: clampY(Math.ceil((view.y + view.height + my) / snap) * snap),
  };
}

/** covers tells whether box holds the part of view that lies on the slide. */
export function covers(box: BBox, view: Rect, slide: { width: number; height: number }): boolean {
  const x0 = Math.max(view.x, 0);
  const y0 = Math.max(view.y, 0);
  const x1 = Math.min(view.x + view.width, slide.width);
  const y1 = Math.min(view.y + view.height, slide.height);
  if (x1 <= x0 || y1 <= y0) return true;
  return box.x0 <= x0 && box.y0 <= y0 && box.x1 >= x1 && box.y1 >= y1;
}

/** wholeSlide tells whether box is all of the slide. */
export function wholeSlide(box: BBox, slide: { width: number; height: number }): boolean {
  return box.x0 <= 0 && box.y0 <= 0 && box.x1 >= slide.width && box.y1 >= slide.height;
}

/**
 * estimate guesses how many marks lie in box from counts per cell, each
 * cell weighted by the share of it inside box (marks are assumed spread
 * evenly inside a cell).
 */
export function estimate(grid: GridCounts, box: BBox): number {
  let n = 0;
  for (const c of grid.cells) {
    const cx0 = c.col * grid.cell;
    const cy0 = c.row * grid.cell;
    const w = Math.min(cx0 + grid.cell, box.x1) - Math.max(cx0, box.x0);
    const h = Math.min(cy0 + grid.cell, box.y1) - Math.max(cy0, box.y0);
    if (w > 0 && h > 0) n += (c.count * w * h) / (grid.cell * grid.cell);
  }
  return n;
}
