import type { Change } from '../marks/document';
import type { Geometry, Mark } from '../marks/mark';
import { geometryBounds, handlesOf, moveHandle, translate, type Handle } from '../marks/shapes';
import { insertVertex, removeVertex } from '../marks/vertices';
import { handleSize, paintDraft, paintHandles } from '../overlay/shapes';
import { apply, type Affine, type Point } from '../viewer/geometry';
import { hitTolerance, type EditContext } from './context';
import type { Tool, ToolPointer } from './tool';

type Grab = { kind: 'move'; from: Point; by: Point } | { kind: 'handle'; handle: Handle };

/**
 * SelectTool picks a mark with a click; dragging it moves it, dragging a
 * handle reshapes it (polygon vertices, box corners of rectangles and
 * ellipses). A double click on an edge of the selected shape adds a corner
 * there, Alt+click on a corner removes it. Delete removes the mark, Escape lets it go, and 1–9 (through the
 * palette) do not recolour it: a category change is a deliberate edit made
 * with the number keys while Shift is held.
 *
 * A mark the view holds simplified (zoomed out) can be selected and moved:
 * the move is applied to its exact outline, loaded meanwhile. Its corners
 * are offered once that outline is there.
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

  /** onSelect is set by the page: it hears which mark is selected (undefined: none). */
  onSelect: (mark: Mark | undefined) => void = () => undefined;

  private choose(ref: string | null): void {
    const changed = ref !== this.selected;
    this.selected = ref;
    const sel = this.selection;
    // Fetch the real outline now, so that it is there when the user drags a corner.
    if (sel?.simplified === true) void this.ctx.exact(sel).then(() => this.ctx.invalidate());
    if (changed) this.onSelect(sel);
  }

  /** edit applies fn to the selected mark's exact state, at once or once it is loaded. */
  private edit(sel: Mark, fn: (exact: Mark) => void): void {
    if (sel.simplified !== true) return fn(sel);
    void this.ctx.exact(sel).then((exact) => {
      if (exact === undefined) this.ctx.notify('This shape could not be loaded in full, so it was not changed. Try again.');
      else fn(exact);
      this.ctx.invalidate();
    });
  }

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
    this.choose(hit?.ref ?? null);
    this.ctx.invalidate();
    return true;
  }

  dblclick(p: ToolPointer): boolean {
    const sel = this.selection;
    if (sel === undefined) return false;
    if (sel.simplified === true) {
      this.edit(sel, (exact) => {
        const g = insertVertex(exact.geometry, p.image, hitTolerance / p.scale);
        if (g !== null) this.reshape(exact, g, '');
      });
      return true;
    }
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
    this.choose(hit.ref);
    this.grab = { kind: 'move', from: p.image, by: { x: 0, y: 0 } };
    this.ctx.invalidate();
    return true;
  }

  drag(p: ToolPointer): boolean {
    const sel = this.selection;
    if (this.grab === null || sel === undefined) return false;
    if (this.grab.kind === 'move') {
      this.grab.by = { x: p.image.x - this.grab.from.x, y: p.image.y - this.grab.from.y };
      this.draft = translate(sel.geometry, this.grab.by.x, this.grab.by.y);
    } else {
      this.draft = moveHandle(sel.geometry, this.grab.handle.index, p.image);
    }
    this.ctx.invalidate();
    return true;
  }

  release(): boolean {
    const sel = this.selection;
    const draft = this.draft;
    const grab = this.grab;
    this.grab = null;
    this.draft = null;
    if (sel !== undefined && draft !== null && grab !== null) {
      // A move is the offset, applied to the exact outline (the drawn one may be simplified).
      if (grab.kind === 'move') {
        const { x, y } = grab.by;
        this.edit(sel, (exact) => this.ctx.doc.commit([{ ref: exact.ref, after: { ...exact, geometry: translate(exact.geometry, x, y) } }]));
      } else {
        this.ctx.doc.commit([{ ref: sel.ref, after: { ...sel, geometry: draft } }]);
      }
    }
    this.ctx.invalidate();
    return grab !== null;
  }

  onKey(ev: KeyboardEvent): boolean {
    const sel = this.selection;
    if (sel === undefined) return false;
    if (ev.key === 'Delete' || ev.key === 'Backspace') {
      this.edit(sel, (exact) => this.ctx.doc.commit([{ ref: exact.ref, after: null }]));
      this.choose(null);
    } else if (ev.key === 'Escape') {
      this.choose(null);
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
    this.edit(sel, (exact) => {
      const change: Change = { ref: exact.ref, after: { ...exact, category } };
      this.ctx.doc.commit([change]);
    });
    return true;
  }

  paint(c: CanvasRenderingContext2D, m: Affine): void {
    const sel = this.selection;
    if (sel === undefined) return;
    const g = this.draft ?? sel.geometry;
    if (this.draft !== null && g.kind !== 'point') {
      paintDraft(c, g.kind === 'polyline' ? g.path : (g.rings[0] ?? []), m, this.ctx.color(sel.category), g.kind !== 'polyline');
    }
    paintHandles(c, geometryBounds(g), sel.simplified === true ? [] : handlesOf(g), m);
  }

  deactivate(): void {
    this.choose(null);
    this.grab = null;
    this.draft = null;
    this.ctx.invalidate();
  }

  private handleAt(sel: Mark, p: ToolPointer): Handle | undefined {
    // The corners of a simplified outline are not the mark's: none until the exact one is loaded.
    if (sel.simplified === true) return undefined;
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
