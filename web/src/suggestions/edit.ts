import type { AcceptEdit, Suggestion } from '../api/suggestions';
import { fromFeature, toFeature, type Geometry } from '../marks/mark';
import { geometryBounds, handlesOf, hits, moveHandle, translate } from '../marks/shapes';
import { paintHandles } from '../overlay/shapes';
import { apply, type Affine, type Point } from '../viewer/geometry';

/** handleSlack is how near (screen pixels) a press must be to grab a corner. */
const handleSlack = 8;

/**
 * ShapeEdit is E's "edit, then accept": the suggestion's shape as a draft
 * the person drags whole or by its corners before accepting it. Nothing is
 * saved while editing; the accept sends the edited geometry, so the server
 * records the decision as edited and the mark has the edited shape.
 */
export class ShapeEdit {
  private shape: Geometry;
  private readonly start: Geometry;
  private grab: { kind: 'move'; from: Point; base: Geometry } | { kind: 'handle'; index: number } | null = null;

  constructor(readonly suggestion: Suggestion) {
    const read = fromFeature({ type: 'Feature', id: suggestion.id, geometry: suggestion.geometry, properties: { ...suggestion.properties } }, 8);
    if (read === null) throw new Error(`Suggestion ${suggestion.id} has a shape this viewer cannot edit.`);
    this.shape = this.start = read.mark.geometry;
  }

  get geometry(): Geometry {
    return this.shape;
  }

  /** changed tells whether the person moved anything. */
  get changed(): boolean {
    return this.shape !== this.start;
  }

  /** press grabs a corner near p, else the shape when p is on it; scale is screen px per image px. */
  press(p: Point, scale: number): boolean {
    const slack = handleSlack / scale;
    const h = handlesOf(this.shape).find((c) => Math.abs(c.x - p.x) <= slack && Math.abs(c.y - p.y) <= slack);
    if (h !== undefined) {
      this.grab = { kind: 'handle', index: h.index };
      return true;
    }
    if (!hits({ ref: '', category: '', geometry: this.shape }, p, slack)) return false;
    this.grab = { kind: 'move', from: p, base: this.shape };
    return true;
  }

  drag(p: Point): boolean {
    const g = this.grab;
    if (g === null) return false;
    this.shape = g.kind === 'move' ? translate(g.base, p.x - g.from.x, p.y - g.from.y) : moveHandle(this.shape, g.index, p);
    return true;
  }

  release(): boolean {
    const had = this.grab !== null;
    this.grab = null;
    return had;
  }

  /** body is the accept's edit: the GeoJSON geometry, with the radius of a point or the kind of an area. */
  body(): AcceptEdit {
    const f = toFeature({ ref: '', category: String(this.suggestion.properties.category_id), geometry: this.shape });
    const radius = f.properties.radius;
    const shape = f.properties.shape;
    return {
      geometry: f.geometry,
      ...(typeof radius === 'number' ? { radius } : {}),
      ...(typeof shape === 'string' ? { shape } : {}),
    };
  }

  /** paint draws the draft solid in colour, with its corners to drag. */
  paint(c: CanvasRenderingContext2D, m: Affine, color: string): void {
    const g = this.shape;
    c.save();
    c.setLineDash([]);
    c.strokeStyle = color;
    c.lineWidth = 3;
    c.beginPath();
    if (g.kind === 'point') {
      const p = apply(m, g.x, g.y);
      c.arc(p.x, p.y, Math.max(6, g.radius * Math.hypot(m.a, m.b)), 0, 2 * Math.PI);
    } else {
      for (const ring of g.kind === 'polyline' ? [g.path] : g.rings) {
        ring.forEach(([x, y], i) => {
          const p = apply(m, x, y);
          if (i === 0) c.moveTo(p.x, p.y);
          else c.lineTo(p.x, p.y);
        });
      }
    }
    c.stroke();
    paintHandles(c, geometryBounds(g), handlesOf(g), m);
    c.restore();
  }
}
