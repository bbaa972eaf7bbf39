import type { ApiClient } from '../api/client';
import type { Feature } from '../marks/mark';
import { sameContent } from '../marks/mark';
import type { ConflictView } from '../sync/queue';
import { apply, type Affine } from '../viewer/geometry';
import { featureCentre } from './refusals';

/** LastChange is the newest event of a mark's history: who did what, when, from what to what. */
export interface LastChange {
  readonly actor: string;
  readonly at: string;
  readonly action: string;
  readonly before: Feature | null;
  readonly after: Feature | null;
}

/** lastChange reads the newest event of mark id's history; null when there is none. */
export async function lastChange(api: ApiClient, id: number): Promise<LastChange | null> {
  const body = await api.get<{ events?: { actor_id?: number; at?: string; action?: string; before?: Feature | null; after?: Feature | null }[] }>(
    `/api/v1/annotations/history?annotation_id=${id}&limit=1`,
  );
  const e = body.events?.[0];
  if (e === undefined) return null;
  return { actor: String(e.actor_id ?? ''), at: e.at ?? '', action: e.action ?? '', before: e.before ?? null, after: e.after ?? null };
}

/** verb says in plain words what a change did to a mark. */
export function verb(c: Pick<LastChange, 'action' | 'before' | 'after'>): string {
  if (c.action === 'deleted' || c.after === null) return 'deleted';
  if (c.action === 'reviewed') return 'reviewed';
  if (c.action === 'restored') return 'restored';
  if (c.before === null) return 'drew';
  const b = c.before;
  const a = c.after;
  if (Number(b.properties.category_id) !== Number(a.properties.category_id)) return 'reclassified';
  if (!sameContent({ ...b, properties: a.properties }, a)) return b.geometry.type === 'Point' ? 'moved' : 'reshaped';
  return 'edited';
}

/** ago says how long ago at was, coarsely, as people say it. */
export function ago(at: string, now: number): string {
  const t = Date.parse(at);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** conflictSentence is "Dr B moved this mark 2 min ago". */
export function conflictSentence(c: LastChange, name: (id: string) => string, now: number): string {
  const when = ago(c.at, now);
  return `${name(c.actor)} ${verb(c)} this mark${when === '' ? '' : ` ${when}`}`;
}

const mineColor = '#0b5fff';
const theirsColor = '#ff6d00';

/**
 * paintConflicts draws both versions of each mark in conflict where they
 * are, labelled: the user's dashed blue ("Yours"), the other reader's
 * dashed orange ("Theirs"), so the choice is made looking at the tissue.
 */
export function paintConflicts(ctx: CanvasRenderingContext2D, conflicts: readonly ConflictView[], m: Affine): void {
  ctx.save();
  ctx.lineWidth = 2;
  ctx.setLineDash([6, 4]);
  ctx.font = '12px system-ui, sans-serif';
  for (const c of conflicts) {
    drawVersion(ctx, c.mine, m, mineColor, 'Yours');
    drawVersion(ctx, c.conflict.theirs, m, theirsColor, 'Theirs');
  }
  ctx.restore();
}

function drawVersion(ctx: CanvasRenderingContext2D, f: Feature | null, m: Affine, color: string, label: string): void {
  if (f === null) return;
  const g = f.geometry;
  ctx.strokeStyle = color;
  ctx.beginPath();
  if (g.type === 'Point') {
    const p = apply(m, g.coordinates[0], g.coordinates[1]);
    ctx.arc(p.x, p.y, 10, 0, 2 * Math.PI);
  } else {
    for (const ring of g.type === 'LineString' ? [g.coordinates] : g.coordinates) {
      ring.forEach(([x, y], i) => {
        const p = apply(m, x, y);
        if (i === 0) ctx.moveTo(p.x, p.y);
        else ctx.lineTo(p.x, p.y);
      });
    }
  }
  ctx.stroke();
  const c = featureCentre(f);
  const p = apply(m, c.x, c.y);
  ctx.fillStyle = '#ffffff';
  const w = ctx.measureText(label).width + 6;
  ctx.fillRect(p.x + 12, p.y - 16, w, 16);
  ctx.fillStyle = color;
  ctx.fillText(label, p.x + 15, p.y - 4);
}
