import type { BBox, GridCell, GridCounts } from '../api/annotations';
import type { FakeAnnotationServer } from '../sync/fakeserver.testutil';
import type { MarkSource } from './loader';
import { fromFeature, type Geometry, type MarkPage, type Ring, type ServerMark } from './mark';
import { geometryBounds } from './shapes';

/**
 * FakeMarkSource answers the loader's reads from a FakeAnnotationServer's
 * marks the way the annotation service does: counts per cell by the centre
 * of each mark's box (optionally of one author), marks whose box meets the
 * query box in id order up to the limit with `truncated`, and thinned
 * outlines for a tolerance (every other corner kept). hold() makes reads
 * wait, as on a slow network, so tests can edit while a load is on its way.
 */
export class FakeMarkSource implements MarkSource {
  readonly calls: string[] = [];
  down = false;
  private gate: Promise<void> | null = null;

  constructor(readonly server: FakeAnnotationServer) {}

  /** hold makes every read wait until the answer is called. */
  hold(): () => void {
    let release = (): void => undefined;
    this.gate = new Promise((r) => (release = r));
    return () => {
      this.gate = null;
      release();
    };
  }

  async grid(box: BBox, cell: number, author: string | undefined, signal: AbortSignal): Promise<GridCounts> {
    this.calls.push(`grid ${cell}${author === undefined ? '' : ` by ${author}`}`);
    await this.answer(signal);
    const counts = new Map<string, GridCell>();
    const [c0, r0, c1, r1] = [box.x0, box.y0, box.x1, box.y1].map((v) => Math.floor(v / cell)) as [number, number, number, number];
    for (const m of this.all()) {
      if (author !== undefined && m.mark.author !== author) continue;
      const b = geometryBounds(m.mark.geometry);
      const col = Math.floor((b.x + b.width / 2) / cell);
      const row = Math.floor((b.y + b.height / 2) / cell);
      if (col < c0 || col > c1 || row < r0 || row > r1) continue;
      const key = `${col},${row},${m.mark.category}`;
      const seen = counts.get(key);
      counts.set(key, { col, row, category: m.mark.category, count: (seen?.count ?? 0) + 1 });
    }
    return { cell, cells: [...counts.values()] };
  }

  async marks(box: BBox, limit: number, tolerance: number, signal: AbortSignal): Promise<MarkPage> {
    this.calls.push(`marks${tolerance > 0 ? ` thinned ${tolerance}` : ''}`);
    await this.answer(signal);
    const hits: ServerMark[] = [];
    for (const m of this.all()) {
      const b = geometryBounds(m.mark.geometry);
      if (b.x > box.x1 || b.y > box.y1 || b.x + b.width < box.x0 || b.y + b.height < box.y0) continue;
      hits.push(tolerance > 0 ? { ...m, mark: { ...m.mark, geometry: thin(m.mark.geometry) } } : m);
    }
    return { marks: hits.slice(0, limit), truncated: hits.length > limit, skipped: 0 };
  }

  async one(id: number): Promise<ServerMark> {
    this.calls.push(`one ${id}`);
    await this.answer(undefined);
    const m = this.all().find((s) => s.id === id);
    if (m === undefined) throw new Error(`fake source: no mark ${id}`);
    return m;
  }

  private all(): ServerMark[] {
    const out: ServerMark[] = [];
    for (const [id, s] of [...this.server.marks].sort((a, b) => a[0] - b[0])) {
      const m = fromFeature({ ...s.feature, id }, 8);
      if (m !== null) out.push(m);
    }
    return out;
  }

  private async answer(signal: AbortSignal | undefined): Promise<void> {
    if (this.gate !== null) await this.gate;
    if (signal?.aborted === true) throw new DOMException('The request was aborted.', 'AbortError');
    if (this.down) throw new Error('The server could not be reached (Failed to fetch).');
  }
}

function thin(g: Geometry): Geometry {
  if (g.kind === 'point') return g;
  const keep = (r: Ring): Ring => (r.length <= 5 ? r : [...r.filter((_, i) => i % 2 === 0 && i < r.length - 1), r[r.length - 1] as [number, number]]);
  if (g.kind === 'polyline') return { kind: 'polyline', path: keep(g.path) };
  return { kind: g.kind, rings: g.rings.map(keep) };
}
