import type { Category } from '../api/types';
import { h } from '../dom';
import type { Feature } from '../marks/mark';
import type { Refusal, SaveQueue } from '../sync/queue';
import { apply, type Affine } from '../viewer/geometry';
import { ListDialog } from './listdialog';
import { describe } from './savestatus';

/** The colour of a refused change on the slide: a dashed red outline and a cross, whatever the category's colour. */
const refusedColor = '#d50000';

/** featureCentre is the middle of a feature's outline, where "Show" pans to. */
export function featureCentre(f: Feature): { x: number; y: number } {
  const g = f.geometry;
  const pts = g.type === 'Point' ? [g.coordinates] : g.type === 'LineString' ? g.coordinates : (g.coordinates[0] ?? []);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of pts) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
}

/**
 * paintRefusals draws each refused change where it was made: dashed red
 * with a cross, so it never passes for a saved mark of its category.
 */
export function paintRefusals(ctx: CanvasRenderingContext2D, refusals: readonly Refusal[], m: Affine): number {
  let drawn = 0;
  ctx.save();
  ctx.strokeStyle = refusedColor;
  ctx.lineWidth = 2;
  ctx.setLineDash([6, 4]);
  for (const r of refusals) {
    if (r.feature === null) continue;
    const g = r.feature.geometry;
    ctx.beginPath();
    if (g.type === 'Point') {
      const c = apply(m, g.coordinates[0], g.coordinates[1]);
      ctx.arc(c.x, c.y, 9, 0, 2 * Math.PI);
    } else {
      const rings = g.type === 'LineString' ? [g.coordinates] : g.coordinates;
      for (const ring of rings) {
        ring.forEach(([x, y], i) => {
          const p = apply(m, x, y);
          if (i === 0) ctx.moveTo(p.x, p.y);
          else ctx.lineTo(p.x, p.y);
        });
      }
    }
    ctx.stroke();
    const c = featureCentre(r.feature);
    const p = apply(m, c.x, c.y);
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(p.x - 5, p.y - 5);
    ctx.lineTo(p.x + 5, p.y + 5);
    ctx.moveTo(p.x + 5, p.y - 5);
    ctx.lineTo(p.x - 5, p.y + 5);
    ctx.stroke();
    ctx.setLineDash([6, 4]);
    drawn++;
  }
  ctx.restore();
  return drawn;
}

export interface RefusalActions {
  show(r: Refusal): void;
  retry(r: Refusal): void;
  discard(r: Refusal): void;
}

/**
 * RefusalDialog lists what the server refused, each with its reason and
 * three ways out: look at it on the slide, send it again (after a manager
 * changed what is allowed), or discard it (the server's version stands).
 */
export class RefusalDialog extends ListDialog<Refusal> {
  constructor(
    private readonly queue: SaveQueue,
    private readonly category: (id: string) => Category | undefined,
    private readonly act: RefusalActions,
  ) {
    super({
      className: 'conflict-dialog refusal-dialog',
      title: 'Changes the server refused',
      lead: 'These changes are not saved. They are drawn dashed in red on the slide and not counted.',
      close: 'Close',
    });
  }

  protected items(): readonly Refusal[] {
    return this.queue.refusals();
  }

  protected row(r: Refusal): HTMLElement {
    const then = (fn: (r: Refusal) => void) => (): void => {
      fn(r);
      this.render();
    };
    const what = r.serverId === null ? 'New mark' : r.feature === null ? 'Deletion' : 'Change';
    return h(
      'section',
      { class: 'conflict refusal', 'data-ref': r.ref },
      h('p', null, h('strong', null, `${what}: `), describe(r.feature, this.category)),
      h('p', { class: 'conflict-message' }, `Refused: ${r.message}`),
      h(
        'div',
        { class: 'refusal-actions' },
        r.feature !== null && h('button', { type: 'button', onclick: () => {
          this.element.close();
          this.act.show(r);
        } }, 'Show on the slide'),
        h('button', { type: 'button', onclick: then(this.act.retry) }, 'Send again'),
        h('button', { type: 'button', class: 'primary', onclick: then(this.act.discard) }, 'Discard'),
      ),
    );
  }
}
