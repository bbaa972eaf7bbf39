import { apply, intersects, invert, visibleImageRect, type Affine, type Point, type Rect } from '../viewer/geometry';

/** Ring is a path through image points. */
export type Ring = readonly (readonly [number, number])[];

/**
 * Outline is what this layer draws of a shape: closed rings (the first the
 * outline, the rest holes), filled, or an open path, stroked only. A mark's
 * geometry is one; the overlay draws what it is handed and knows no marks.
 */
export interface Outline {
  /** kind names the shape; painting goes by rings and path alone. */
  readonly kind: string;
  readonly rings?: readonly Ring[];
  readonly path?: Ring;
}

export interface Shape {
  readonly geometry: Outline;
}

/** The slice of the 2D context shape painting uses. */
export type ShapeContext = Pick<
  CanvasRenderingContext2D,
  'beginPath' | 'moveTo' | 'lineTo' | 'closePath' | 'fill' | 'stroke' | 'fillRect' | 'strokeRect' | 'setLineDash' | 'fillStyle' | 'strokeStyle' | 'lineWidth' | 'globalAlpha'
>;

export interface ShapeStyle {
  readonly color: string;
  readonly visible: boolean;
}

/** fillAlpha keeps the tissue under a filled shape visible; the outline is opaque. */
const fillAlpha = 0.22;

/**
 * paintShapes draws areas and lines that intersect the screen: a translucent
 * fill and a solid outline in the category colour. bounds is a shape's
 * image-space box (the caller may cache it per geometry). It answers how
 * many it drew.
 */
export function paintShapes<S extends Shape>(
  ctx: ShapeContext,
  shapes: Iterable<S>,
  m: Affine,
  width: number,
  height: number,
  style: (shape: S) => ShapeStyle,
  bounds: (g: S['geometry']) => Rect,
): number {
  const inv = invert(m);
  if (inv === null) return 0;
  const view = visibleImageRect(inv, width, height);
  let drawn = 0;
  for (const shape of shapes) {
    const s = style(shape);
    if (!s.visible || !intersects(view, bounds(shape.geometry))) continue;
    outline(ctx, shape.geometry, m);
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    if (shape.geometry.path === undefined) {
      ctx.fillStyle = s.color;
      ctx.globalAlpha = fillAlpha;
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    ctx.stroke();
    drawn++;
  }
  return drawn;
}

function outline(ctx: ShapeContext, g: Outline, m: Affine): void {
  ctx.beginPath();
  if (g.path !== undefined) return path(ctx, g.path, m, false);
  for (const r of g.rings ?? []) path(ctx, r, m, true);
}

function path(ctx: ShapeContext, ring: Ring, m: Affine, closed: boolean): void {
  ring.forEach(([x, y], i) => {
    const p = apply(m, x, y);
    if (i === 0) ctx.moveTo(p.x, p.y);
    else ctx.lineTo(p.x, p.y);
  });
  if (closed) ctx.closePath();
}

/** paintDraft draws a shape being drawn or edited: a dashed outline through image points. */
export function paintDraft(ctx: ShapeContext, ring: Ring, m: Affine, color: string, closed: boolean): void {
  ctx.beginPath();
  path(ctx, ring, m, closed);
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.stroke();
  ctx.setLineDash([]);
}

export const handleSize = 8;

/** paintHandles draws the selection box and the draggable handles of a selected mark. */
export function paintHandles(ctx: ShapeContext, bounds: Rect, handles: readonly Point[], m: Affine): void {
  const corners = [apply(m, bounds.x, bounds.y), apply(m, bounds.x + bounds.width, bounds.y + bounds.height)];
  const [a, b] = corners as [{ x: number; y: number }, { x: number; y: number }];
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = '#0b5fff';
  ctx.lineWidth = 1;
  ctx.strokeRect(Math.min(a.x, b.x) - 4, Math.min(a.y, b.y) - 4, Math.abs(b.x - a.x) + 8, Math.abs(b.y - a.y) + 8);
  ctx.setLineDash([]);
  for (const h of handles) {
    const p = apply(m, h.x, h.y);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(p.x - handleSize / 2, p.y - handleSize / 2, handleSize, handleSize);
    ctx.strokeStyle = '#0b5fff';
    ctx.strokeRect(p.x - handleSize / 2, p.y - handleSize / 2, handleSize, handleSize);
  }
}
