import type { Mark, Ring } from '../marks/mark';
import { geometryBounds, type Handle } from '../marks/shapes';
import { apply, intersects, invert, visibleImageRect, type Affine, type Rect } from '../viewer/geometry';

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
 * fill and a solid outline in the category colour. It answers how many it drew.
 */
export function paintShapes(
  ctx: ShapeContext,
  shapes: Iterable<Mark>,
  m: Affine,
  width: number,
  height: number,
  style: (mark: Mark) => ShapeStyle,
): number {
  const inv = invert(m);
  if (inv === null) return 0;
  const view = visibleImageRect(inv, width, height);
  let drawn = 0;
  for (const mark of shapes) {
    const s = style(mark);
    if (!s.visible || !intersects(view, geometryBounds(mark.geometry))) continue;
    outline(ctx, mark, m);
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    if (mark.geometry.kind !== 'polyline') {
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

function outline(ctx: ShapeContext, mark: Mark, m: Affine): void {
  const g = mark.geometry;
  ctx.beginPath();
  if (g.kind === 'point') return;
  if (g.kind === 'polyline') return path(ctx, g.path, m, false);
  for (const r of g.rings) path(ctx, r, m, true);
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
export function paintHandles(ctx: ShapeContext, bounds: Rect, handles: readonly Handle[], m: Affine): void {
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
