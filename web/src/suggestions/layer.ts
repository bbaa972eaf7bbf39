import type { Suggestion } from '../api/suggestions';
import { apply, type Affine } from '../viewer/geometry';

/** Box is a suggestion's extent in level-0 pixels. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** rings answers a suggestion's outline(s) in level-0 pixels; a point has none. */
function rings(s: Suggestion): [number, number][][] {
  const g = s.geometry;
  if (g.type === 'Polygon') return g.coordinates;
  if (g.type === 'LineString') return [g.coordinates];
  return [];
}

/** boxOf is the suggestion's bounding box; a point's is its centre ± radius. */
export function boxOf(s: Suggestion): Box {
  const g = s.geometry;
  if (g.type === 'Point') {
    const r = s.properties.radius ?? 0;
    const [x, y] = g.coordinates;
    return { x0: x - r, y0: y - r, x1: x + r, y1: y + r };
  }
  const b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (const ring of rings(s)) {
    for (const [x, y] of ring) {
      b.x0 = Math.min(b.x0, x);
      b.y0 = Math.min(b.y0, y);
      b.x1 = Math.max(b.x1, x);
      b.y1 = Math.max(b.y1, y);
    }
  }
  return b;
}

/** centreOf is where the viewer flies for a suggestion. */
export function centreOf(s: Suggestion): { x: number; y: number } {
  const b = boxOf(s);
  return { x: (b.x0 + b.x1) / 2, y: (b.y0 + b.y1) / 2 };
}

/**
 * suggestionAt finds the suggestion under an image position: inside a box
 * grown by slack pixels (so a dot is easy to point at), the smallest box
 * winning when they nest.
 */
export function suggestionAt(list: readonly Suggestion[], x: number, y: number, slack: number): Suggestion | null {
  let best: Suggestion | null = null;
  let area = Infinity;
  for (const s of list) {
    const b = boxOf(s);
    if (x < b.x0 - slack || x > b.x1 + slack || y < b.y0 - slack || y > b.y1 + slack) continue;
    const a = (b.x1 - b.x0) * (b.y1 - b.y0);
    if (a < area) [best, area] = [s, a];
  }
  return best;
}

/** scoreText is the hover label: "tumor 0.62 (margin 0.24) · model v3", without numbers when they are hidden. */
export function scoreText(s: Suggestion, categoryName: (id: number) => string): string {
  const p = s.properties;
  const model = `${p.model.name} ${p.model.version}`;
  if (p.score === undefined) return `${categoryName(p.category_id)} · ${model}`;
  const margin = p.margin === undefined ? '' : ` (margin ${p.margin.toFixed(2)})`;
  return `${categoryName(p.category_id)} ${p.score.toFixed(2)}${margin} · ${model}`;
}

/** progressText is "312 of 2,048 reviewed". */
export function progressText(reviewed: number, total: number): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  return `${n(reviewed)} of ${n(total)} reviewed`;
}

export interface PaintOptions {
  colorOf(category: number): string;
  current: number | null;
  hovered: number | null;
  label(s: Suggestion): string;
}

/**
 * paintSuggestions draws undecided suggestions dashed in their category's
 * colour (so they never pass for marks, which are solid), the current one
 * thicker, and the hovered one's score beside it. Answers how many it drew.
 */
export function paintSuggestions(c: CanvasRenderingContext2D, list: readonly Suggestion[], m: Affine, o: PaintOptions): number {
  c.save();
  c.setLineDash([6, 4]);
  let drawn = 0;
  for (const s of list) {
    c.strokeStyle = o.colorOf(s.properties.category_id);
    c.lineWidth = s.id === o.current ? 4 : 2;
    c.beginPath();
    if (s.geometry.type === 'Point') {
      const p = apply(m, s.geometry.coordinates[0], s.geometry.coordinates[1]);
      c.arc(p.x, p.y, Math.max(6, (s.properties.radius ?? 0) * Math.hypot(m.a, m.b)), 0, 2 * Math.PI);
    } else {
      for (const ring of rings(s)) {
        ring.forEach(([x, y], i) => {
          const p = apply(m, x, y);
          if (i === 0) c.moveTo(p.x, p.y);
          else c.lineTo(p.x, p.y);
        });
      }
    }
    c.stroke();
    drawn++;
  }
  const hovered = list.find((s) => s.id === o.hovered);
  if (hovered !== undefined) {
    const b = boxOf(hovered);
    const p = apply(m, b.x1, b.y0);
    c.setLineDash([]);
    c.font = '13px sans-serif';
    const text = o.label(hovered);
    c.fillStyle = 'rgba(0,0,0,0.75)';
    c.fillRect(p.x + 6, p.y - 18, c.measureText(text).width + 8, 18);
    c.fillStyle = '#fff';
    c.fillText(text, p.x + 10, p.y - 5);
  }
  c.restore();
  return drawn;
}
