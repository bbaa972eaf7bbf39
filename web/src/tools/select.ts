import type { Change } from '../marks/document';
import type { Geometry, Mark } from '../marks/mark';
import { geometryBounds, handlesOf, moveHandle, translate, type Handle } from '../marks/shapes';
import { insertVertex, removeVertex } from '../marks/vertices';
import { handleSize, paintDraft, paintHandles } from '../overlay/shapes';
import { apply, type Affine, type Point } from '../viewer/geometry';
import { hitTolerance, type EditContext } from './context';
import type { Tool, ToolPointer } from './tool';

type Grab = { kind: 'move'; from: Point } | { kind: 'handle'; handle: Handle };

/**
 * SelectTool picks a mark with a click; dragging it moves it, dragging a
 * handle reshapes it (polygon vertices, box corners of rectangles and
 * ellipses). A double click on an edge of the selected shape adds a corner
 * there, Alt+click on a corner removes it. Delete removes the mark, Escape lets it go, and 1–9 (through the
 * palette) do not recolour it: a category change is a deliberate edit made
 * with the number keys while Shift is held.
 */
export class SelectTool implements Tool {
  readonly id = 'select';
  readonly label = 'Select and edit';
  readonly key = 'v';
  readonly cursor = 'default';
  private selected: string | null = null;
  private grab: Grab | null = null;
  private draft: Geometry | null = null;

  constructor(private readonly ctx: EditContext) {}

  get selection(): Mark | undefined {
    return this.selected === null ? undefined : this.ctx.doc.get(this.selected);
  }

  click(p: ToolPointer): boolean {
    if (!p.quick) return this.grab !== null;
    const sel = this.selection;
    const corner = sel === undefined || p.alt !== true || boxed(sel) ? undefined : this.handleAt(sel, p);
    if (sel !== undefined && corner !== undefined) {
      return this.reshape(sel, removeVertex(sel.geometry, corner.index), 'That corner stays: a shape needs three corners (a line two) and must not cross itself.');
    }
    const hit = this.ctx.doc.hitTest(p.image, hitTolerance / p.scale, (m) => this.ctx.visible(m));
    this.selected = hit?.ref ?? null;
    this.ctx.invalidate();
    return true;
  }

  dblclick(p: ToolPointer): boolean {
    const sel = this.selection;
    if (sel === undefined) return false;
    const g = insertVertex(sel.geometry, p.image, hitTolerance / p.scale);
    return g === null ? false : this.reshape(sel, g, '');
  }

  /** reshape commits a vertex edit, or says why there is none. */
  private reshape(sel: Mark, g: Geometry | null, why: string): boolean {
    if (g === null) {
      if (why !== '') this.ctx.notify(why);
      return true;
    }
    this.ctx.doc.commit([{ ref: sel.ref, after: { ...sel, geometry: g } }]);
    this.ctx.invalidate();
    return true;
  }

  press(p: ToolPointer): boolean {
    // Alt+press on a corner is the start of a removal click, not a drag.
    if (p.alt === true && this.selection !== undefined && this.handleAt(this.selection, p) !== undefined) return true;
    const sel = this.selection;
    const handle = sel === undefined ? undefined : this.handleAt(sel, p);
    if (handle !== undefined) {
      this.grab = { kind: 'handle', handle };
      return true;
    }
    const hit = this.ctx.doc.hitTest(p.image, hitTolerance / p.scale, (m) => this.ctx.visible(m));
    if (hit === undefined) return false;
    this.selected = hit.ref;
    this.grab = { kind: 'move', from: p.image };
    this.ctx.invalidate();
    return true;
  }

  drag(p: ToolPointer): boolean {
    const sel = this.selection;
    if (this.grab === null || sel === undefined) return false;
    this.draft = this.grab.kind === 'move'
      ? translate(sel.geometry, p.image.x - this.grab.from.x, p.image.y - this.grab.from.y)
      : moveHandle(sel.geometry, this.grab.handle.index, p.image);
    this.ctx.invalidate();
    return true;
  }

  release(): boolean {
    const sel = this.selection;
    const draft = this.draft;
    const grabbed = this.grab !== null;
    this.grab = null;
    this.draft = null;
    if (sel !== undefined && draft !== null) this.ctx.doc.commit([{ ref: sel.ref, after: { ...sel, geometry: draft } }]);
    this.ctx.invalidate();
    return grabbed;
  }

  onKey(ev: KeyboardEvent): boolean {
    const sel = this.selection;
    if (sel === undefined) return false;
    if (ev.key === 'Delete' || ev.key === 'Backspace') {
      this.ctx.doc.commit([{ ref: sel.ref, after: null }]);
      this.selected = null;
    } else if (ev.key === 'Escape') {
      this.selected = null;
    } else if (ev.shiftKey && /^Digit[1-9]$/.test(ev.code)) {
      return this.recolour(sel, Number(ev.code.slice(5)) - 1);
    } else {
      return false;
    }
    this.ctx.invalidate();
    return true;
  }

  /** recategorise is set by the page: it maps a palette index to a category id. */
  categoryAt: (index: number) => string | null = () => null;

  private recolour(sel: Mark, index: number): boolean {
    const category = this.categoryAt(index);
    if (category === null || category === sel.category) return false;
    const change: Change = { ref: sel.ref, after: { ...sel, category } };
    this.ctx.doc.commit([change]);
    return true;
  }

  paint(c: CanvasRenderingContext2D, m: Affine): void {
    const sel = this.selection;
    if (sel === undefined) return;
    const g = this.draft ?? sel.geometry;
    if (this.draft !== null && g.kind !== 'point') {
      paintDraft(c, g.kind === 'polyline' ? g.path : (g.rings[0] ?? []), m, this.ctx.color(sel.category), g.kind !== 'polyline');
    }
    paintHandles(c, geometryBounds(g), handlesOf(g), m);
  }

  deactivate(): void {
    this.selected = null;
    this.grab = null;
    this.draft = null;
    this.ctx.invalidate();
  }

  private handleAt(sel: Mark, p: ToolPointer): Handle | undefined {
    const m: Affine = { a: p.scale, b: 0, c: 0, d: p.scale, e: 0, f: 0 };
    const at = apply(m, p.image.x, p.image.y);
    return handlesOf(sel.geometry).find((h) => {
      const q = apply(m, h.x, h.y);
      return Math.abs(q.x - at.x) <= handleSize && Math.abs(q.y - at.y) <= handleSize;
    });
  }
}

/** boxed marks have box handles, not corners: their outline is edited by dragging the box. */
function boxed(m: Mark): boolean {
  return m.geometry.kind === 'rectangle' || m.geometry.kind === 'ellipse';
}
