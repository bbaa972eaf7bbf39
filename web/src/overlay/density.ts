// The density layer: a zoomed-out slide with more marks than a view can
// hold is drawn from the service's counts per cell instead of the marks.
// Each cell is split into stripes in the colours of its categories (width
// by share), more opaque where there are more marks, with its count written
// in it when the cell is wide enough on screen to read it.

import type { GridCounts } from '../api/annotations';
import { apply, invert, visibleImageRect, type Affine, type Point } from '../viewer/geometry';

export interface DensityCell {
  readonly col: number;
  readonly row: number;
  /** counts per category id. */
  readonly counts: ReadonlyMap<string, number>;
}

/** DensityMap is the counts of one view, merged over authors, keyed by cell. */
export class DensityMap {
  private readonly byKey = new Map<string, { col: number; row: number; counts: Map<string, number> }>();

  /** bounds is the slide: cells on its right and bottom edges are drawn cut to it. */
  constructor(
    readonly cell: number,
    readonly bounds: { readonly width: number; readonly height: number } = { width: Infinity, height: Infinity },
  ) {}

  /** add sums a grid answer in (one per author when only some authors are shown). */
  add(grid: GridCounts): void {
    if (grid.cell !== this.cell) throw new Error(`density map of ${this.cell} px cells: got a grid of ${grid.cell} px`);
    for (const c of grid.cells) {
      const key = `${c.col},${c.row}`;
      let cell = this.byKey.get(key);
      if (cell === undefined) {
        cell = { col: c.col, row: c.row, counts: new Map() };
        this.byKey.set(key, cell);
      }
      cell.counts.set(c.category, (cell.counts.get(c.category) ?? 0) + c.count);
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  cells(): IterableIterator<DensityCell> {
    return this.byKey.values();
  }

  /** total counts the marks of the categories keep answers true for. */
  total(keep: (category: string) => boolean = () => true): number {
    let n = 0;
    for (const c of this.byKey.values()) for (const [cat, k] of c.counts) if (keep(cat)) n += k;
    return n;
  }
}

/** The slice of the 2D context the density layer uses. */
export type DensityContext = Pick<
  CanvasRenderingContext2D,
  'beginPath' | 'moveTo' | 'lineTo' | 'closePath' | 'fill' | 'fillText' | 'strokeText' | 'measureText' | 'fillStyle' | 'strokeStyle' | 'lineWidth' | 'globalAlpha' | 'font' | 'textAlign' | 'textBaseline' | 'lineJoin'
>;

export interface DensityStyle {
  readonly color: string;
  readonly visible: boolean;
}

export interface DensityFrame {
  /** cells drawn (on screen, with visible marks). */
  readonly cells: number;
  /** labels written. */
  readonly labels: number;
  /** marks the drawn cells stand for. */
  readonly marks: number;
}

const minAlpha = 0.15;
const maxAlpha = 0.55;

/**
 * paintDensity draws the cells of map that are on a width×height screen.
 * order lists category ids in palette order, so stripes keep their place
 * from cell to cell; categories style hides are left out of stripes and counts.
 */
export function paintDensity(
  ctx: DensityContext,
  map: DensityMap,
  m: Affine,
  width: number,
  height: number,
  style: (category: string) => DensityStyle,
  order: readonly string[],
): DensityFrame {
  const inv = invert(m);
  if (inv === null) return { cells: 0, labels: 0, marks: 0 };
  const view = visibleImageRect(inv, width, height);
  const size = map.cell;
  const onScreen: { cell: DensityCell; total: number }[] = [];
  let max = 0;
  for (const cell of map.cells()) {
    const x0 = cell.col * size;
    const y0 = cell.row * size;
    if (x0 > view.x + view.width || y0 > view.y + view.height || x0 + size < view.x || y0 + size < view.y) continue;
    let total = 0;
    for (const [cat, n] of cell.counts) if (style(cat).visible) total += n;
    if (total === 0) continue;
    onScreen.push({ cell, total });
    max = Math.max(max, total);
  }
  const rank = rankOf(order);
  const cellPx = size * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
  let labels = 0;
  let marks = 0;
  for (const { cell, total } of onScreen) {
    marks += total;
    ctx.globalAlpha = minAlpha + ((maxAlpha - minAlpha) * Math.log1p(total)) / Math.log1p(max);
    const x0 = cell.col * size;
    const y0 = cell.row * size;
    const w = Math.min(size, map.bounds.width - x0);
    const hgt = Math.min(size, map.bounds.height - y0);
    let from = 0;
    for (const [cat, n] of [...cell.counts].sort((a, b) => rank(a[0]) - rank(b[0]))) {
      const s = style(cat);
      if (!s.visible || n === 0) continue;
      const to = from + n / total;
      quad(ctx, m, x0 + from * w, y0, x0 + to * w, y0 + hgt);
      ctx.fillStyle = s.color;
      ctx.fill();
      from = to;
    }
    ctx.globalAlpha = 1;
    if (label(ctx, apply(m, x0 + w / 2, y0 + hgt / 2), formatCount(total), cellPx * Math.min(w, hgt) / size)) labels++;
  }
  return { cells: onScreen.length, labels, marks };
}

function quad(ctx: DensityContext, m: Affine, x0: number, y0: number, x1: number, y1: number): void {
  const corners: Point[] = [apply(m, x0, y0), apply(m, x1, y0), apply(m, x1, y1), apply(m, x0, y1)];
  ctx.beginPath();
  corners.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
  ctx.closePath();
}

/** label writes text at p, white on a dark halo so it reads over any colour, if it fits in the cell. */
function label(ctx: DensityContext, p: Point, text: string, cellPx: number): boolean {
  const px = Math.round(Math.min(14, Math.max(10, cellPx * 0.28)));
  ctx.font = `600 ${px}px system-ui, sans-serif`;
  if (ctx.measureText(text).width + 6 > cellPx || px + 4 > cellPx) return false;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.75)';
  ctx.strokeText(text, p.x, p.y);
  ctx.fillStyle = '#ffffff';
  ctx.fillText(text, p.x, p.y);
  return true;
}

/** formatCount writes a count in at most four characters and a unit: 999, 1.2k, 35k, 1.2M. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 9950) return `${(n / 1000).toFixed(1)}k`;
  if (n < 999_500) return `${Math.round(n / 1000)}k`;
  if (n < 9_950_000) return `${(n / 1e6).toFixed(1)}M`;
  return `${Math.round(n / 1e6)}M`;
}

function rankOf(order: readonly string[]): (category: string) => number {
  const at = new Map(order.map((c, i) => [c, i]));
  return (c) => at.get(c) ?? order.length;
}
