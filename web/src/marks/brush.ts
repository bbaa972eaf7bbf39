import type { Ring } from './mark';
import { segmentDistanceSquared, simplify } from './shapes';
import type { Point } from '../viewer/geometry';

// A brush stroke is rasterized on at most this many cells: memory and time stay bounded however long the stroke.
const maxCells = 1_000_000;

interface Grid {
  readonly ox: number;
  readonly oy: number;
  readonly cell: number;
  readonly w: number;
  readonly h: number;
  readonly on: Uint8Array;
}

/**
 * brushRings buffers a brush stroke (the pointer's path, radius in image
 * pixels) into polygon rings, as QuPath's brush does with a geometry union:
 * the discs along the path are rasterized on a grid of `cell` pixels, the
 * grid's outline is traced and simplified to about a cell. The first ring
 * is the outline, the rest are holes the stroke encircled; every ring is
 * closed. Null for an empty path.
 */
export function brushRings(path: readonly Point[], radius: number, cell: number): Ring[] | null {
  if (path.length === 0 || !(radius > 0) || !(cell > 0)) return null;
  const g = rasterize(path, radius, cell);
  const loops = trace(g).map((l) => simplifyLoop(l, g.cell * 0.7));
  const valid = loops.filter((l) => l.length >= 4);
  if (valid.length === 0) return null;
  // The outline is the largest loop; holes wind the other way round.
  valid.sort((a, b) => Math.abs(signedArea(b)) - Math.abs(signedArea(a)));
  const outer = valid[0] as Ring;
  const sign = Math.sign(signedArea(outer));
  const holes = valid.slice(1).filter((l) => Math.sign(signedArea(l)) === -sign && Math.abs(signedArea(l)) >= 4 * g.cell * g.cell);
  return [outer, ...holes];
}

function rasterize(path: readonly Point[], radius: number, cell: number): Grid {
  const xs = path.map((p) => p.x);
  const ys = path.map((p) => p.y);
  const x0 = Math.min(...xs) - radius;
  const y0 = Math.min(...ys) - radius;
  const spanX = Math.max(...xs) + radius - x0;
  const spanY = Math.max(...ys) + radius - y0;
  const need = (spanX / cell + 2) * (spanY / cell + 2);
  const c = need > maxCells ? cell * Math.sqrt(need / maxCells) : cell;
  // One empty cell all round, so every outline closes inside the grid.
  const g: Grid = { ox: x0 - c, oy: y0 - c, cell: c, w: Math.ceil(spanX / c) + 2, h: Math.ceil(spanY / c) + 2, on: new Uint8Array(0) };
  const on = new Uint8Array(g.w * g.h);
  const segs = path.length === 1 ? [[path[0], path[0]]] : path.slice(1).map((b, i) => [path[i], b]);
  for (const [a, b] of segs as [Point, Point][]) fillSegment(g, on, a, b, radius);
  return { ...g, on };
}

function fillSegment(g: Grid, on: Uint8Array, a: Point, b: Point, r: number): void {
  const i0 = Math.max(0, Math.floor((Math.min(a.x, b.x) - r - g.ox) / g.cell));
  const i1 = Math.min(g.w - 1, Math.ceil((Math.max(a.x, b.x) + r - g.ox) / g.cell));
  const j0 = Math.max(0, Math.floor((Math.min(a.y, b.y) - r - g.oy) / g.cell));
  const j1 = Math.min(g.h - 1, Math.ceil((Math.max(a.y, b.y) + r - g.oy) / g.cell));
  const r2 = r * r;
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const centre = { x: g.ox + (i + 0.5) * g.cell, y: g.oy + (j + 0.5) * g.cell };
      if (segmentDistanceSquared(centre, a, b) <= r2) on[j * g.w + i] = 1;
    }
  }
}

// Directions on the grid's vertex lattice (y down): right, down, left, up.
const dirs = [[1, 0], [0, 1], [-1, 0], [0, -1]] as const;

/**
 * trace follows the cell edges between filled and empty cells, filled on
 * the right, into closed loops of lattice vertices. Where two filled cells
 * touch only at a corner the loop turns right, keeping them apart, so no
 * loop passes a vertex twice.
 */
function trace(g: Grid): Point[][] {
  const filled = (i: number, j: number): boolean => i >= 0 && j >= 0 && i < g.w && j < g.h && g.on[j * g.w + i] === 1;
  const W = g.w + 1;
  // out[v*4+d] is 1 while the edge leaving vertex v in direction d is untraced.
  const out = new Uint8Array(W * (g.h + 1) * 4);
  for (let j = 0; j < g.h; j++) {
    for (let i = 0; i < g.w; i++) {
      if (!filled(i, j)) continue;
      if (!filled(i, j - 1)) out[(j * W + i) * 4 + 0] = 1;
      if (!filled(i + 1, j)) out[(j * W + i + 1) * 4 + 1] = 1;
      if (!filled(i, j + 1)) out[((j + 1) * W + i + 1) * 4 + 2] = 1;
      if (!filled(i - 1, j)) out[((j + 1) * W + i) * 4 + 3] = 1;
    }
  }
  const loops: Point[][] = [];
  for (let k = 0; k < out.length; k++) {
    if (out[k] === 1) loops.push(follow(g, out, Math.floor(k / 4), k % 4));
  }
  return loops;
}

function follow(g: Grid, out: Uint8Array, start: number, d0: number): Point[] {
  const W = g.w + 1;
  const pts: Point[] = [];
  let v = start;
  let d = d0;
  for (;;) {
    out[v * 4 + d] = 0;
    const vx = v % W;
    const vy = Math.floor(v / W);
    pts.push({ x: g.ox + vx * g.cell, y: g.oy + vy * g.cell });
    const [dx, dy] = dirs[d] as readonly [number, number];
    v = (vy + dy) * W + vx + dx;
    // Prefer a right turn, then straight on, then a left turn.
    const next = [(d + 1) % 4, d, (d + 3) % 4].find((n) => out[v * 4 + n] === 1);
    if (next === undefined) return pts;
    d = next;
  }
}

/** simplifyLoop drops the staircase's collinear and near-collinear corners and closes the ring. */
function simplifyLoop(loop: readonly Point[], tolerance: number): Ring {
  const first = loop[0];
  if (first === undefined) return [];
  const kept = simplify([...loop, first], tolerance);
  return kept.map((p) => [p.x, p.y] as const);
}

/** signedArea is the shoelace area with its sign: the winding tells outlines from holes. */
function signedArea(ring: Ring): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x0, y0] = ring[i] as readonly [number, number];
    const [x1, y1] = ring[i + 1] as readonly [number, number];
    s += x0 * y1 - x1 * y0;
  }
  return s / 2;
}
