import type { AreaShape, Ring } from '../marks/mark';
import { areaGeometry, closeRing, ellipseRing, rectangleRing, simplify } from '../marks/shapes';
import { paintDraft } from '../overlay/shapes';
import type { Affine, Point } from '../viewer/geometry';
import type { EditContext } from './context';
import type { Tool, ToolPointer } from './tool';

/** Shapes drawn by dragging, and how a drag becomes an outline. */
const dragShapes = {
  rectangle: { label: 'Rectangle', key: 'r', ring: (pts: readonly Point[]) => rectangleRing(first(pts), last(pts)) },
  ellipse: { label: 'Ellipse', key: 'e', ring: (pts: readonly Point[]) => ellipseRing(first(pts), last(pts)) },
  freehand: { label: 'Freehand', key: 'f', ring: (pts: readonly Point[]) => closeRing(pts) },
} as const;

type DragShape = keyof typeof dragShapes;

function first(pts: readonly Point[]): Point {
  return pts[0] as Point;
}

function last(pts: readonly Point[]): Point {
  return pts[pts.length - 1] as Point;
}

// Screen pixels: smaller drags are taken as slips, freehand samples closer than this are dropped.
const minDrag = 4;
const sampleStep = 3;
const simplifyTolerance = 1;

/**
 * DragShapeTool draws a rectangle or an ellipse from corner to corner, or a
 * freehand outline along the pointer's path (closed on release, simplified to
 * about a screen pixel). All are stored as polygons with their shape named.
 */
export class DragShapeTool implements Tool {
  readonly id: string;
  readonly label: string;
  readonly key: string;
  readonly cursor = 'crosshair';
  private points: Point[] = [];
  private screenStart: Point | null = null;
  private lastScreen: Point | null = null;
  private scale = 1;

  constructor(
    private readonly shape: DragShape,
    private readonly ctx: EditContext,
  ) {
    this.id = shape;
    this.label = dragShapes[shape].label;
    this.key = dragShapes[shape].key;
  }

  press(p: ToolPointer): boolean {
    if (this.ctx.category() === null) return false;
    this.points = [p.image];
    this.screenStart = p.screen;
    this.lastScreen = p.screen;
    this.scale = p.scale;
    return true;
  }

  drag(p: ToolPointer): boolean {
    if (this.screenStart === null) return false;
    const prev = this.lastScreen as Point;
    if (this.shape !== 'freehand') this.points = [first(this.points), p.image];
    else if (Math.hypot(p.screen.x - prev.x, p.screen.y - prev.y) >= sampleStep) this.points.push(p.image);
    this.lastScreen = p.screen;
    this.ctx.invalidate();
    return true;
  }

  release(p: ToolPointer): boolean {
    if (this.screenStart === null) return false;
    const start = this.screenStart;
    this.screenStart = null;
    if (Math.hypot(p.screen.x - start.x, p.screen.y - start.y) < minDrag && this.points.length < 3) return this.cancel();
    if (this.shape === 'freehand') this.points.push(p.image);
    else this.points = [first(this.points), p.image];
    this.finish();
    return true;
  }

  click(p: ToolPointer): boolean {
    // The click that ends a drag must not reach other handlers (the point tool's, OpenSeadragon's zoom).
    return !p.quick || this.ctx.category() !== null;
  }

  onKey(ev: KeyboardEvent): boolean {
    return ev.key === 'Escape' && this.screenStart !== null && this.cancel();
  }

  paint(c: CanvasRenderingContext2D, m: Affine): void {
    if (this.screenStart === null || this.points.length < 2) return;
    paintDraft(c, this.ring(), m, this.ctx.color(this.ctx.category() ?? ''), true);
  }

  deactivate(): void {
    this.cancel();
  }

  private ring(): Ring {
    const pts = this.shape === 'freehand' ? simplify(this.points, simplifyTolerance / this.scale) : this.points;
    return dragShapes[this.shape].ring(pts);
  }

  private finish(): void {
    const category = this.ctx.category();
    const ring = this.ring();
    this.points = [];
    this.ctx.invalidate();
    if (category === null) return;
    commitArea(this.ctx, this.shape, ring, category);
  }

  private cancel(): boolean {
    this.points = [];
    this.screenStart = null;
    this.ctx.invalidate();
    return true;
  }
}

function commitArea(ctx: EditContext, kind: AreaShape, ring: Ring, category: string): void {
  const g = areaGeometry(kind, ring);
  if (typeof g === 'string') return ctx.notify(g);
  const ref = ctx.newId();
  ctx.doc.commit([{ ref, after: { ref, category, geometry: g } }]);
}

// Screen pixels: a click this close to the first corner closes the polygon.
const closeDistance = 10;

/**
 * PolygonTool places a corner per click; it closes on a click near the
 * first corner, a double click or Enter. Backspace removes the last corner,
 * Escape drops the draft. As a polyline tool it draws an open line
 * (stored as a GeoJSON LineString), ended by a double click or Enter.
 */
export class PolygonTool implements Tool {
  readonly id: string;
  readonly label: string;
  readonly key: string;
  readonly cursor = 'crosshair';
  private corners: Point[] = [];
  private hover: Point | null = null;
  private readonly minCorners: number;

  constructor(
    private readonly ctx: EditContext,
    private readonly kind: 'polygon' | 'polyline' = 'polygon',
  ) {
    this.id = kind;
    this.label = kind === 'polygon' ? 'Polygon' : 'Polyline';
    this.key = kind === 'polygon' ? 'g' : 'l';
    this.minCorners = kind === 'polygon' ? 3 : 2;
  }

  get drafting(): boolean {
    return this.corners.length > 0;
  }

  click(p: ToolPointer): boolean {
    if (!p.quick) return false;
    if (this.ctx.category() === null) return true;
    const start = this.corners[0];
    if (this.kind === 'polygon' && start !== undefined && this.corners.length >= 3 && Math.hypot(p.image.x - start.x, p.image.y - start.y) * p.scale <= closeDistance) {
      this.finish();
      return true;
    }
    const prev = this.corners[this.corners.length - 1];
    // The two clicks of a double click land on one spot: one corner, not two.
    if (prev === undefined || Math.hypot(p.image.x - prev.x, p.image.y - prev.y) * p.scale > 2) this.corners.push(p.image);
    this.ctx.invalidate();
    return true;
  }

  dblclick(): boolean {
    if (this.corners.length >= this.minCorners) this.finish();
    return true;
  }

  move(p: ToolPointer): void {
    if (this.corners.length === 0) return;
    this.hover = p.image;
    this.ctx.invalidate();
  }

  onKey(ev: KeyboardEvent): boolean {
    if (this.corners.length === 0) return false;
    if (ev.key === 'Enter') {
      if (this.corners.length >= this.minCorners) this.finish();
    } else if (ev.key === 'Escape') this.reset();
    else if (ev.key === 'Backspace') this.corners.pop();
    else return false;
    this.ctx.invalidate();
    return true;
  }

  paint(c: CanvasRenderingContext2D, m: Affine): void {
    if (this.corners.length === 0) return;
    const pts = this.hover === null ? this.corners : [...this.corners, this.hover];
    paintDraft(c, pts.map((q) => [q.x, q.y] as const), m, this.ctx.color(this.ctx.category() ?? ''), false);
  }

  deactivate(): void {
    this.reset();
  }

  private finish(): void {
    const category = this.ctx.category();
    const corners = this.corners;
    this.reset();
    if (category === null) return;
    if (this.kind === 'polygon') return commitArea(this.ctx, 'polygon', closeRing(corners), category);
    const ref = this.ctx.newId();
    this.ctx.doc.commit([{ ref, after: { ref, category, geometry: { kind: 'polyline', path: corners.map((q) => [q.x, q.y] as const) } } }]);
  }

  private reset(): void {
    this.corners = [];
    this.hover = null;
    this.ctx.invalidate();
  }
}
