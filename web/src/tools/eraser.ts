import type { Mark } from '../marks/mark';
import type { Affine } from '../viewer/geometry';
import { apply } from '../viewer/geometry';
import { hitTolerance, type EditContext } from './context';
import type { Tool, ToolPointer } from './tool';

/**
 * EraserTool deletes the mark under a click, or every mark a drag passes
 * over; one press-to-release is one undo step. Marks taken during a drag are outlined
 * until the button is released.
 */
export class EraserTool implements Tool {
  readonly id = 'eraser';
  readonly label = 'Eraser';
  readonly key = 'x';
  readonly cursor = 'cell';
  private taken: string[] | null = null;

  constructor(private readonly ctx: EditContext) {}

  /** click has nothing left to do: the press and release before it erased what it touched. */
  click(): boolean {
    return true;
  }

  press(p: ToolPointer): boolean {
    this.taken = [];
    this.take(p);
    return true;
  }

  drag(p: ToolPointer): boolean {
    if (this.taken === null) return false;
    this.take(p);
    return true;
  }

  release(): boolean {
    const taken = this.taken;
    this.taken = null;
    if (taken !== null && taken.length > 0) this.erase(taken);
    this.ctx.invalidate();
    return true;
  }

  /**
   * erase deletes the marks as one undo step. Undo brings back what was
   * deleted, so a mark the view holds simplified is first loaded exact.
   */
  private erase(refs: readonly string[]): void {
    const marks = refs.map((ref) => this.ctx.doc.get(ref)).filter((m) => m !== undefined);
    if (marks.every((m) => m.simplified !== true)) return this.ctx.doc.commit(marks.map((m) => ({ ref: m.ref, after: null })));
    void Promise.all(marks.map((m) => this.ctx.exact(m))).then((exact) => {
      // Still there, and exact: a mark the view let go of meanwhile is left alone.
      const loaded = (m: Mark | undefined): m is Mark => {
        const cur = m === undefined ? undefined : this.ctx.doc.get(m.ref);
        return cur !== undefined && cur.simplified !== true;
      };
      const ready = exact.filter(loaded);
      if (ready.length < marks.length) this.ctx.notify('Some shapes could not be loaded in full and were not erased. Try again.');
      if (ready.length > 0) this.ctx.doc.commit(ready.map((m) => ({ ref: m.ref, after: null })));
      this.ctx.invalidate();
    });
  }

  paint(c: CanvasRenderingContext2D, m: Affine): void {
    for (const ref of this.taken ?? []) {
      const mark = this.ctx.doc.get(ref);
      if (mark === undefined) continue;
      const g = mark.geometry;
      const [x, y] = g.kind === 'point' ? [g.x, g.y] : g.kind === 'polyline' ? (g.path[0] ?? [0, 0]) : (g.rings[0]?.[0] ?? [0, 0]);
      const s = apply(m, x, y);
      c.strokeStyle = '#d00000';
      c.lineWidth = 2;
      c.beginPath();
      c.moveTo(s.x - 6, s.y - 6);
      c.lineTo(s.x + 6, s.y + 6);
      c.moveTo(s.x + 6, s.y - 6);
      c.lineTo(s.x - 6, s.y + 6);
      c.stroke();
    }
  }

  deactivate(): void {
    this.taken = null;
  }

  private take(p: ToolPointer): void {
    const hit = this.hit(p);
    if (hit !== undefined && this.taken !== null && !this.taken.includes(hit)) {
      this.taken.push(hit);
      this.ctx.invalidate();
    }
  }

  private hit(p: ToolPointer): string | undefined {
    return this.ctx.doc.hitTest(p.image, hitTolerance / p.scale, (m) => this.ctx.visible(m))?.ref;
  }
}
