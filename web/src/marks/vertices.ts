import type { Geometry, Ring } from './mark';
import { selfIntersects, segmentDistanceSquared } from './shapes';
import type { Point } from '../viewer/geometry';

/** verticesOf lists a shape's editable corners: a closed ring without its repeated last vertex. */
function openPath(g: Exclude<Geometry, { kind: 'point' }>): (readonly [number, number])[] {
  if (g.kind === 'polyline') return [...g.path];
  return (g.rings[0] ?? []).slice(0, -1);
}

function rebuild(g: Exclude<Geometry, { kind: 'point' }>, pts: Ring): Geometry | null {
  if (g.kind === 'polyline') return { kind: 'polyline', path: pts };
  const ring: Ring = [...pts, pts[0] as readonly [number, number]];
  if (selfIntersects(ring)) return null;
  // An edited rectangle or ellipse is no longer one: it becomes a polygon.
  const kind = g.kind === 'rectangle' || g.kind === 'ellipse' ? 'polygon' : g.kind;
  return { kind, rings: [ring, ...g.rings.slice(1)] };
}

/**
 * insertVertex adds a corner at p on the edge nearest to it, when that edge
 * is within tolerance (image pixels); null when p is near no edge.
 */
export function insertVertex(g: Geometry, p: Point, tolerance: number): Geometry | null {
  if (g.kind === 'point') return null;
  const pts = openPath(g);
  const edges = g.kind === 'polyline' ? pts.length - 1 : pts.length;
  let best = -1;
  let bestD = tolerance * tolerance;
  for (let i = 0; i < edges; i++) {
    const [ax, ay] = pts[i] as readonly [number, number];
    const [bx, by] = pts[(i + 1) % pts.length] as readonly [number, number];
    const d = segmentDistanceSquared(p, { x: ax, y: ay }, { x: bx, y: by });
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  }
  if (best < 0) return null;
  pts.splice(best + 1, 0, [p.x, p.y]);
  return rebuild(g, pts);
}

/** removeVertex drops corner index; null when the shape would get too few corners (3 for areas, 2 for lines). */
export function removeVertex(g: Geometry, index: number): Geometry | null {
  if (g.kind === 'point') return null;
  const pts = openPath(g);
  if (index < 0 || index >= pts.length || pts.length - 1 < (g.kind === 'polyline' ? 2 : 3)) return null;
  pts.splice(index, 1);
  return rebuild(g, pts);
}
