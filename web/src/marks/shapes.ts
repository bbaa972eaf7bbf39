// Geometry of drawn marks in image pixels: making rectangles, ellipses and
// freehand outlines, editing them, and hit testing for selection and erasing.

import { boundsOf, distanceSquared, type Point, type Rect } from '../viewer/geometry';
import type { AreaShape, Geometry, Mark, Ring } from './mark';

type Vertex = readonly [number, number];

/** rectangleRing is the closed ring of the axis-aligned box with corners a and b. */
export function rectangleRing(a: Point, b: Point): Ring {
  const x0 = Math.min(a.x, b.x);
  const x1 = Math.max(a.x, b.x);
  const y0 = Math.min(a.y, b.y);
  const y1 = Math.max(a.y, b.y);
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
}

/**
 * ellipseRing approximates the ellipse inscribed in the box a–b with a
 * closed polygon, which is how the server stores ellipses. The segment count
 * grows with the size so big ellipses stay smooth, within the vertex limit.
 */
export function ellipseRing(a: Point, b: Point, maxSegments = 128): Ring {
  const cx = (a.x + b.x) / 2;
  const cy = (a.y + b.y) / 2;
  const rx = Math.abs(b.x - a.x) / 2;
  const ry = Math.abs(b.y - a.y) / 2;
  const n = Math.max(16, Math.min(maxSegments, Math.ceil(Math.sqrt(Math.max(rx, ry)) * 4)));
  const ring: Vertex[] = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    ring.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  ring.push(ring[0] as Vertex);
  return ring;
}

/** closeRing repeats the first vertex at the end, as GeoJSON wants. */
export function closeRing(points: readonly Point[]): Ring {
  const ring: Vertex[] = points.map((p) => [p.x, p.y]);
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first !== undefined && last !== undefined && (first[0] !== last[0] || first[1] !== last[1])) ring.push(first);
  return ring;
}

/** simplify drops vertices closer than tolerance to the line of their neighbours (Ramer–Douglas–Peucker). */
export function simplify(points: readonly Point[], tolerance: number): Point[] {
  if (points.length <= 2) return [...points];
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  const t2 = tolerance * tolerance;
  while (stack.length > 0) {
    const [lo, hi] = stack.pop() as [number, number];
    let worst = -1;
    let worstD = t2;
    for (let i = lo + 1; i < hi; i++) {
      const d = segmentDistanceSquared(points[i] as Point, points[lo] as Point, points[hi] as Point);
      if (d > worstD) {
        worst = i;
        worstD = d;
      }
    }
    if (worst < 0) continue;
    keep[worst] = 1;
    stack.push([lo, worst], [worst, hi]);
  }
  return points.filter((_, i) => keep[i] === 1);
}

/** segmentDistanceSquared is the squared distance from p to the segment a–b. */
export function segmentDistanceSquared(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return distanceSquared(p.x, p.y, a.x + t * dx, a.y + t * dy);
}

/** selfIntersects tells whether two non-adjacent edges of a closed ring cross, which the server refuses. */
export function selfIntersects(ring: Ring): boolean {
  const n = ring.length - 1;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      if (segmentsCross(ring[i] as Vertex, ring[i + 1] as Vertex, ring[j] as Vertex, ring[j + 1] as Vertex)) return true;
    }
  }
  return false;
}

function segmentsCross(a: Vertex, b: Vertex, c: Vertex, d: Vertex): boolean {
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  return o1 * o2 < 0 && o3 * o4 < 0;
}

function orient(a: Vertex, b: Vertex, c: Vertex): number {
  return Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
}

/** area is the absolute area of a closed ring (shoelace). */
export function area(ring: Ring): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x0, y0] = ring[i] as Vertex;
    const [x1, y1] = ring[i + 1] as Vertex;
    s += x0 * y1 - x1 * y0;
  }
  return Math.abs(s) / 2;
}

/** insideRing is the even-odd test of p against a closed ring. */
export function insideRing(ring: Ring, p: Point): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
    const [xi, yi] = ring[i] as Vertex;
    const [xj, yj] = ring[j] as Vertex;
    if (yi > p.y !== yj > p.y && p.x < ((xj - xi) * (p.y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** nearEdge tells whether p lies within tolerance of the ring's outline. */
export function nearEdge(ring: Ring, p: Point, tolerance: number): boolean {
  const t2 = tolerance * tolerance;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [ax, ay] = ring[i] as Vertex;
    const [bx, by] = ring[i + 1] as Vertex;
    if (segmentDistanceSquared(p, { x: ax, y: ay }, { x: bx, y: by }) <= t2) return true;
  }
  return false;
}

const boundsCache = new WeakMap<Geometry, Rect>();

/** geometryBounds is the bounding box of a mark's geometry, cached per (immutable) geometry. */
export function geometryBounds(g: Geometry): Rect {
  let r = boundsCache.get(g);
  if (r === undefined) {
    if (g.kind === 'point') r = { x: g.x - g.radius, y: g.y - g.radius, width: 2 * g.radius, height: 2 * g.radius };
    else r = boundsOf(verticesOf(g).map(([x, y]) => ({ x, y })));
    boundsCache.set(g, r);
  }
  return r;
}

function verticesOf(g: Exclude<Geometry, { kind: 'point' }>): readonly Vertex[] {
  return g.kind === 'polyline' ? g.path : (g.rings[0] ?? []);
}

/** hits tells whether p (image pixels) touches mark m: inside an area, on a line, within a dot. */
export function hits(m: Mark, p: Point, tolerance: number): boolean {
  const g = m.geometry;
  if (g.kind === 'point') return distanceSquared(p.x, p.y, g.x, g.y) <= (g.radius + tolerance) ** 2;
  if (g.kind === 'polyline') return nearEdge(g.path, p, tolerance);
  const outer = g.rings[0];
  if (outer === undefined) return false;
  if (nearEdge(outer, p, tolerance)) return true;
  return insideRing(outer, p) && !g.rings.slice(1).some((hole) => insideRing(hole, p));
}

/** translate moves a geometry by (dx, dy). */
export function translate(g: Geometry, dx: number, dy: number): Geometry {
  const move = (r: Ring): Ring => r.map(([x, y]) => [x + dx, y + dy] as const);
  if (g.kind === 'point') return { ...g, x: g.x + dx, y: g.y + dy };
  if (g.kind === 'polyline') return { kind: 'polyline', path: move(g.path) };
  return { kind: g.kind, rings: g.rings.map(move) };
}

/**
 * Handle is a draggable control of a selected shape: a vertex of a polygon,
 * or a corner of the box of a rectangle or an ellipse (which stay what they
 * are when resized).
 */
export interface Handle {
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

export function handlesOf(g: Geometry): Handle[] {
  if (g.kind === 'point') return [];
  if (g.kind === 'rectangle' || g.kind === 'ellipse') {
    const b = geometryBounds(g);
    return [
      { index: 0, x: b.x, y: b.y },
      { index: 1, x: b.x + b.width, y: b.y },
      { index: 2, x: b.x + b.width, y: b.y + b.height },
      { index: 3, x: b.x, y: b.y + b.height },
    ];
  }
  const verts = verticesOf(g);
  const n = g.kind === 'polyline' ? verts.length : verts.length - 1;
  return verts.slice(0, n).map(([x, y], index) => ({ index, x, y }));
}

/** moveHandle drags handle index of g to p. */
export function moveHandle(g: Geometry, index: number, p: Point): Geometry {
  if (g.kind === 'point') return g;
  if (g.kind === 'rectangle' || g.kind === 'ellipse') {
    const b = geometryBounds(g);
    // The corner opposite the dragged one stays put.
    const opposite = [
      { x: b.x + b.width, y: b.y + b.height },
      { x: b.x, y: b.y + b.height },
      { x: b.x, y: b.y },
      { x: b.x + b.width, y: b.y },
    ][index] as Point;
    return { kind: g.kind, rings: [g.kind === 'rectangle' ? rectangleRing(opposite, p) : ellipseRing(opposite, p)] };
  }
  if (g.kind === 'polyline') return { kind: 'polyline', path: g.path.map((v, i) => (i === index ? [p.x, p.y] : v)) };
  const outer = (g.rings[0] ?? []).map((v, i, all) => (i === index || (index === 0 && i === all.length - 1) ? ([p.x, p.y] as const) : v));
  return { kind: g.kind, rings: [outer, ...g.rings.slice(1)] };
}

/** areaGeometry builds the geometry of a drawn outline, or explains why it is not a valid shape. */
export function areaGeometry(kind: AreaShape, ring: Ring): Geometry | string {
  if (ring.length < 4) return 'A shape needs at least three corners.';
  if (selfIntersects(ring)) return 'The outline crosses itself; draw it again without crossing.';
  if (area(ring) === 0) return 'The shape has no area.';
  return { kind, rings: [ring] };
}

/**
 * clampGeometry keeps every vertex inside the slide (0..width, 0..height),
 * where the server wants it. Areas are cut along the edge (as the service
 * cuts them): pulling each outside vertex onto the edge instead would fold
 * a stroke that wanders off the slide into overlapping runs along it, an
 * outline that crosses itself and is refused. Points and lines are pulled in.
 */
export function clampGeometry(g: Geometry, width: number, height: number): Geometry {
  const cx = (x: number): number => Math.min(width, Math.max(0, x));
  const cy = (y: number): number => Math.min(height, Math.max(0, y));
  const inside = (r: Ring): boolean => r.every(([x, y]) => x === cx(x) && y === cy(y));
  const clampRing = (r: Ring): Ring => (inside(r) ? r : r.map(([x, y]) => [cx(x), cy(y)] as const));
  if (g.kind === 'point') return g.x === cx(g.x) && g.y === cy(g.y) ? g : { ...g, x: cx(g.x), y: cy(g.y) };
  if (g.kind === 'polyline') return inside(g.path) ? g : { kind: 'polyline', path: clampRing(g.path) };
  if (g.rings.every(inside)) return g;
  const rings: Ring[] = [];
  for (const [i, r] of g.rings.entries()) {
    const cut = clipRing(r, width, height);
    // An outline wholly off the slide is left pulled in, for the server to refuse with its reason.
    if (cut === null) {
      if (i === 0) return { kind: g.kind, rings: g.rings.map(clampRing) };
      continue;
    }
    rings.push(cut);
  }
  // An ellipse cut at the edge is no longer an ellipse.
  return { kind: g.kind === 'ellipse' ? 'polygon' : g.kind, rings };
}

/** clipRing cuts a closed ring to the slide (Sutherland–Hodgman); null when fewer than 3 corners remain. */
export function clipRing(r: Ring, width: number, height: number): Ring | null {
  type P = readonly [number, number];
  const sides: [(p: P) => boolean, (a: P, b: P) => P][] = [
    [(p) => p[0] >= 0, (a, b) => [0, a[1] + ((b[1] - a[1]) * (0 - a[0])) / (b[0] - a[0])]],
    [(p) => p[0] <= width, (a, b) => [width, a[1] + ((b[1] - a[1]) * (width - a[0])) / (b[0] - a[0])]],
    [(p) => p[1] >= 0, (a, b) => [a[0] + ((b[0] - a[0]) * (0 - a[1])) / (b[1] - a[1]), 0]],
    [(p) => p[1] <= height, (a, b) => [a[0] + ((b[0] - a[0]) * (height - a[1])) / (b[1] - a[1]), height]],
  ];
  let pts: P[] = r.slice(0, -1);
  for (const [inSide, cut] of sides) {
    const next: P[] = [];
    pts.forEach((b, i) => {
      const a = pts[(i + pts.length - 1) % pts.length] as P;
      if (inSide(b)) {
        if (!inSide(a)) next.push(cut(a, b));
        next.push(b);
      } else if (inSide(a)) next.push(cut(a, b));
    });
    pts = next.filter((p, i) => i === 0 || p[0] !== next[i - 1]?.[0] || p[1] !== next[i - 1]?.[1]);
  }
  while (pts.length > 1 && pts[0]?.[0] === pts.at(-1)?.[0] && pts[0]?.[1] === pts.at(-1)?.[1]) pts.pop();
  if (pts.length < 3) return null;
  return [...pts, pts[0] as P];
}
