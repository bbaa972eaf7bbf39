import type { Suggestion } from '../api/suggestions';
import { PointLayer } from '../overlay/points';
import { intersects, type Rect } from '../viewer/geometry';
import { boxOf, suggestionAt, type Box } from './layer';

const rectOf = (b: Box): Rect => ({ x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 });

/**
 * SuggestionIndex holds the suggestions around the view the way marks are
 * held: points in a PointLayer (typed arrays in a uniform grid, so a frame
 * touches only the cells in view), regions in a list with their boxes.
 * 100,000 points are a few megabytes of arrays plus their features.
 */
export class SuggestionIndex {
  readonly points: PointLayer;
  private readonly byId = new Map<number, Suggestion>();
  private readonly areas = new Map<number, { s: Suggestion; box: Rect }>();
  private version = 0;

  constructor(width: number, height: number) {
    this.points = new PointLayer(width, height);
  }

  get size(): number {
    return this.byId.size;
  }

  /** revision changes whenever what is held changes, so a drawing of it can tell it is stale. */
  get revision(): number {
    return this.version;
  }

  get(id: number): Suggestion | undefined {
    return this.byId.get(id);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** replace holds exactly list from now on. */
  replace(list: readonly Suggestion[]): void {
    this.clear();
    for (const s of list) this.add(s);
  }

  add(s: Suggestion): void {
    this.remove(s.id);
    this.version++;
    this.byId.set(s.id, s);
    const g = s.geometry;
    if (g.type === 'Point') {
      const [x, y] = g.coordinates;
      this.points.add({ id: String(s.id), x, y, radius: s.properties.radius ?? 0, category: String(s.properties.category_id) });
    } else {
      this.areas.set(s.id, { s, box: rectOf(boxOf(s)) });
    }
  }

  remove(id: number): void {
    if (!this.byId.delete(id)) return;
    this.version++;
    this.points.remove(String(id));
    this.areas.delete(id);
  }

  clear(): void {
    this.version++;
    this.byId.clear();
    this.areas.clear();
    this.points.clear();
  }

  /** idAt answers the point slot's suggestion id. */
  idAt(slot: number): number {
    return Number(this.points.markAt(slot).id);
  }

  /** areasIn lists the regions (polygons, lines) whose box meets rect. */
  areasIn(rect: Rect): Suggestion[] {
    const out: Suggestion[] = [];
    for (const a of this.areas.values()) if (intersects(a.box, rect)) out.push(a.s);
    return out;
  }

  /** at finds the suggestion under (x, y) within slack image pixels: the nearest dot, else the smallest region. */
  at(x: number, y: number, slack: number): Suggestion | null {
    const dot = this.points.nearest(x, y, slack);
    if (dot !== undefined) return this.byId.get(Number(dot.id)) ?? null;
    return suggestionAt(this.areasIn({ x: x - slack, y: y - slack, width: 2 * slack, height: 2 * slack }), x, y, slack);
  }
}
