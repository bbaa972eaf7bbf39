// Plane geometry shared by the viewer, the overlay and the tools. Image
// coordinates are level-0 pixels of the slide; screen coordinates are CSS
// pixels of the viewer element.

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Affine maps (x, y) to (a·x + c·y + e, b·x + d·y + f), the same order as
 * CanvasRenderingContext2D.setTransform, so rotation and flips fit too.
 */
export interface Affine {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly e: number;
  readonly f: number;
}

export const identity: Affine = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };

export function apply(m: Affine, x: number, y: number): Point {
  return { x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f };
}

/**
 * affineFromPoints recovers the affine map from the images of (0,0),
 * (unit,0) and (0,unit). A large unit keeps precision when the map is a
 * strong zoom-out (OpenSeadragon only exposes point conversions).
 */
export function affineFromPoints(origin: Point, xAxis: Point, yAxis: Point, unit: number): Affine {
  return {
    a: (xAxis.x - origin.x) / unit,
    b: (xAxis.y - origin.y) / unit,
    c: (yAxis.x - origin.x) / unit,
    d: (yAxis.y - origin.y) / unit,
    e: origin.x,
    f: origin.y,
  };
}

export function invert(m: Affine): Affine | null {
  const det = m.a * m.d - m.b * m.c;
  if (det === 0 || !Number.isFinite(det)) return null;
  return {
    a: m.d / det,
    b: -m.b / det,
    c: -m.c / det,
    d: m.a / det,
    e: (m.c * m.f - m.d * m.e) / det,
    f: (m.b * m.e - m.a * m.f) / det,
  };
}

/** scaleOf is how many screen pixels one image pixel spans (area-preserving mean for skewed maps). */
export function scaleOf(m: Affine): number {
  return Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
}

export function boundsOf(points: readonly Point[]): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * visibleImageRect is the axis-aligned image-space box that covers a
 * width×height screen; with rotation it is a superset of what is visible.
 */
export function visibleImageRect(screenToImage: Affine, width: number, height: number): Rect {
  return boundsOf([
    apply(screenToImage, 0, 0),
    apply(screenToImage, width, 0),
    apply(screenToImage, 0, height),
    apply(screenToImage, width, height),
  ]);
}

export function expand(r: Rect, margin: number): Rect {
  return { x: r.x - margin, y: r.y - margin, width: r.width + 2 * margin, height: r.height + 2 * margin };
}

export function containsPoint(r: Rect, x: number, y: number): boolean {
  return x >= r.x && y >= r.y && x <= r.x + r.width && y <= r.y + r.height;
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;
}

export function distanceSquared(ax: number, ay: number, bx: number, by: number): number {
  const dx = ax - bx;
  const dy = ay - by;
  return dx * dx + dy * dy;
}
