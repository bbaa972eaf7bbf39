import type OpenSeadragon from 'openseadragon';
import type { ApiClient } from '../api/client';
import { acceptSuggestion, listSuggestions, nextSuggestion, rejectSuggestion, suggestionProgress, type AcceptEdit, type Suggestion } from '../api/suggestions';
import { h } from '../dom';
import { scaleOf, type Affine, type Point } from '../viewer/geometry';
import type { SlideViewer } from '../viewer/viewer';
import { ShapeEdit } from './edit';
import { centreOf, paintSuggestions, progressText, scoreText, suggestionAt } from './layer';

/** What the suggestions mode needs of the viewer page. */
export interface SuggestionDeps {
  readonly api: ApiClient;
  readonly slideId: string;
  readonly viewer: {
    panToImage(x: number, y: number): void;
    screenToImage(x: number, y: number): Point | null;
    onRender(fn: () => void): () => void;
  };
  /** hoverTarget is the element over the slide: its pointer moves show a suggestion's score, its size is the view. */
  readonly hoverTarget: HTMLElement;
  /** categoryAt answers the category key n (1–9) picks. */
  categoryAt(n: number): string | null;
  colorOf(category: number): string;
  nameOf(category: number): string;
  invalidate(): void;
  report(err: unknown): void;
  /** accepted shows the mark an accept made. */
  accepted(mark: { id: number }): void;
  /**
   * grabPointer hands presses, drags and releases on the slide (image
   * pixels; scale is screen px per image px) to the shape being edited;
   * a handler answering true keeps the gesture from panning. Answers how to let go.
   */
  grabPointer(g: PointerGrab): () => void;
  /** editing hears E's edit start and end: the page parks the drawing tools meanwhile. */
  editing(on: boolean): void;
}

/** PointerGrab takes the pointer while a suggestion's shape is edited. */
export interface PointerGrab {
  press(p: Point, scale: number): boolean;
  drag(p: Point): boolean;
  release(): boolean;
}

/**
 * SuggestionMode shows a model's undecided suggestions as a layer and walks
 * a person through them, the most uncertain first. S turns it on and off;
 * while it is on: U (or N) flies to the next most uncertain (Shift+U: where
 * the model and existing marks disagree), A accepts as suggested, 1–9
 * accepts as that category, E edits the shape (drag it or its corners)
 * and Enter (or A, E, 1–9) accepts it as edited, R rejects, Escape leaves
 * the edit or turns the layer off. Every decision is the server's record.
 */
export class SuggestionMode {
  readonly element: HTMLElement;
  private on = false;
  private list: Suggestion[] = [];
  private current: Suggestion | null = null;
  private hovered: number | null = null;
  private busy = false;
  private edit: ShapeEdit | null = null;
  private letGo: (() => void) | null = null;
  private readonly toggleButton: HTMLButtonElement;
  private readonly progress: HTMLElement;
  private readonly info: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly unwatch: () => void;
  private reload: ReturnType<typeof setTimeout> | null = null;
  private readonly onMove = (ev: PointerEvent): void => this.hover(ev);

  constructor(private readonly d: SuggestionDeps) {
    this.toggleButton = h('button', { type: 'button', 'aria-pressed': 'false', 'aria-keyshortcuts': 'S', onclick: () => this.toggle() }, 'Suggestions', h('kbd', { 'aria-hidden': 'true' }, 'S'));
    this.progress = h('p', { class: 'suggestion-progress', 'aria-live': 'polite', 'data-testid': 'suggestion-progress' });
    this.info = h('p', { class: 'suggestion-info', 'aria-live': 'polite', 'data-testid': 'suggestion-info' });
    const button = (label: string, key: string, fn: () => void): HTMLButtonElement =>
      h('button', { type: 'button', 'aria-keyshortcuts': key, title: `${label} (${key})`, onclick: fn }, label, h('kbd', { 'aria-hidden': 'true' }, key));
    this.controls = h(
      'div',
      { class: 'suggestion-controls', hidden: true },
      button('Most uncertain', 'U', () => void this.next('uncertainty')),
      button('Accept', 'A', () => void this.accept(undefined)),
      button('Edit, accept', 'E', () => this.editOrAccept()),
      button('Reject', 'R', () => void this.reject()),
    );
    this.element = h('fieldset', { class: 'suggestions' }, h('legend', null, 'Model suggestions'), this.toggleButton, this.progress, this.info, this.controls);
    this.unwatch = d.viewer.onRender(() => this.viewChanged());
  }

  get active(): boolean {
    return this.on;
  }

  /** shown is the layer's content, for tests and the stats line. */
  get shown(): readonly Suggestion[] {
    return this.list;
  }

  get currentId(): number | null {
    return this.current?.id ?? null;
  }

  toggle(): void {
    this.on = !this.on;
    this.toggleButton.setAttribute('aria-pressed', String(this.on));
    this.controls.hidden = !this.on;
    if (this.on) {
      this.d.hoverTarget.addEventListener('pointermove', this.onMove);
      void this.load();
      void this.count();
    } else {
      this.stopEdit();
      this.d.hoverTarget.removeEventListener('pointermove', this.onMove);
      this.list = [];
      this.current = null;
      this.hovered = null;
      this.info.textContent = '';
    }
    this.d.invalidate();
  }

  /** onKey takes S always, and the decision keys while the layer is on. */
  onKey(ev: KeyboardEvent): boolean {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return false;
    const k = ev.key.toLowerCase();
    if (k === 's' && !ev.shiftKey) {
      this.toggle();
      return true;
    }
    if (!this.on) return false;
    if (k === 'u' || k === 'n') {
      this.stopEdit();
      void this.next(ev.shiftKey ? 'disagreement' : 'uncertainty');
    } else if (k === 'a' || (k === 'enter' && this.edit !== null)) void this.accept(undefined);
    else if (k === 'e') this.editOrAccept();
    else if (k === 'r') void this.reject();
    else if (k === 'escape') this.escape();
    else if (/^[1-9]$/.test(ev.key) && this.current !== null) {
      const cat = this.d.categoryAt(Number(ev.key) - 1);
      if (cat === null) return false;
      void this.accept(Number(cat));
    } else return false;
    return true;
  }

  /** editing tells whether E's edit is on. */
  get editing(): boolean {
    return this.edit !== null;
  }

  /** editOrAccept is E: start editing the current suggestion's shape, or accept the edit under way. */
  editOrAccept(): void {
    if (this.edit !== null) return void this.accept(undefined);
    const s = this.current;
    if (s === null || this.busy) return;
    try {
      this.edit = new ShapeEdit(s);
    } catch (err) {
      return this.d.report(err);
    }
    const grab: PointerGrab = {
      press: (p, scale) => this.edit?.press(p, scale) ?? false,
      drag: (p) => {
        const moved = this.edit?.drag(p) ?? false;
        if (moved) this.d.invalidate();
        return moved;
      },
      release: () => this.edit?.release() ?? false,
    };
    this.letGo = this.d.grabPointer(grab);
    this.d.editing(true);
    this.info.textContent = 'Editing: drag the shape or its corners, then Enter (or E) accepts it as edited; Escape cancels.';
    this.d.invalidate();
  }

  private stopEdit(): void {
    if (this.edit === null) return;
    this.edit = null;
    this.letGo?.();
    this.letGo = null;
    this.d.editing(false);
    this.d.invalidate();
  }

  private escape(): void {
    if (this.edit === null) return this.toggle();
    this.stopEdit();
    this.show(this.current);
  }

  paint(c: CanvasRenderingContext2D, m: Affine): void {
    if (!this.on) return;
    const edit = this.edit;
    const list = edit === null ? this.list : this.list.filter((s) => s.id !== edit.suggestion.id);
    if (edit !== null) edit.paint(c, m, this.d.colorOf(edit.suggestion.properties.category_id));
    paintSuggestions(c, list, m, {
      colorOf: (id) => this.d.colorOf(id),
      current: this.current?.id ?? null,
      hovered: this.hovered,
      label: (s) => scoreText(s, (id) => this.d.nameOf(id)),
    });
  }

  dispose(): void {
    this.stopEdit();
    this.unwatch();
    this.d.hoverTarget.removeEventListener('pointermove', this.onMove);
    if (this.reload !== null) clearTimeout(this.reload);
  }

  /** next flies to the next undecided suggestion in the order asked. */
  async next(by: 'uncertainty' | 'disagreement'): Promise<void> {
    try {
      const s = await nextSuggestion(this.d.api, this.d.slideId, this.current?.properties.state === 'undecided' ? this.current.id : 0, by);
      if (s === null && this.current !== null) return this.show(await nextSuggestion(this.d.api, this.d.slideId, 0, by));
      this.show(s);
    } catch (err) {
      this.d.report(err);
    }
  }

  private show(s: Suggestion | null): void {
    if (this.edit !== null && this.edit.suggestion.id !== s?.id) this.stopEdit();
    this.current = s;
    if (s === null) {
      this.info.textContent = 'No undecided suggestion is left on this slide.';
      return this.d.invalidate();
    }
    if (!this.list.some((x) => x.id === s.id)) this.list = [...this.list, s];
    const c = centreOf(s);
    this.d.viewer.panToImage(c.x, c.y);
    this.info.textContent = scoreText(s, (id) => this.d.nameOf(id));
    this.d.invalidate();
  }

  /** accept accepts the current suggestion, as category when given, as edited while E's edit is on. */
  private async accept(category: number | undefined): Promise<void> {
    const s = this.current;
    if (s === null || this.busy) return;
    const edit: AcceptEdit | undefined = this.edit?.suggestion.id === s.id && this.edit.changed ? this.edit.body() : undefined;
    await this.decide(s, async () => {
      const mark = await acceptSuggestion(this.d.api, s.id, category, edit);
      this.stopEdit();
      this.d.accepted(mark);
    });
  }

  private async reject(): Promise<void> {
    const s = this.current;
    if (s === null || this.busy) return;
    this.stopEdit();
    await this.decide(s, () => rejectSuggestion(this.d.api, s.id).then(() => undefined));
  }

  /** decide runs one decision, drops the suggestion from the layer and moves on to the next most uncertain. */
  private async decide(s: Suggestion, fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await fn();
      this.list = this.list.filter((x) => x.id !== s.id);
      await this.count();
      this.show(await nextSuggestion(this.d.api, this.d.slideId, 0));
    } catch (err) {
      this.d.report(err);
    } finally {
      this.busy = false;
    }
  }

  private async count(): Promise<void> {
    try {
      const p = await suggestionProgress(this.d.api, this.d.slideId);
      this.progress.textContent = progressText(p.reviewed, p.total);
    } catch (err) {
      this.d.report(err);
    }
  }

  private async load(): Promise<void> {
    if (!this.on) return;
    try {
      const list = await listSuggestions(this.d.api, this.d.slideId, this.box());
      if (!this.on) return;
      // The current one stays shown even when the view moved away from it.
      const cur = this.current;
      this.list = cur !== null && cur.properties.state === 'undecided' && !list.some((x) => x.id === cur.id) ? [...list, cur] : list;
      this.d.invalidate();
    } catch (err) {
      this.d.report(err);
    }
  }

  /** viewChanged reloads the layer for the new view, once the view rests. */
  viewChanged(): void {
    if (!this.on) return;
    if (this.reload !== null) clearTimeout(this.reload);
    this.reload = setTimeout(() => {
      this.reload = null;
      void this.load();
    }, 250);
  }

  /** box is the part of the slide in view, in level-0 pixels (null: the whole slide, before it opens). */
  private box(): number[] | null {
    const el = this.d.hoverTarget;
    const corners = [
      [0, 0],
      [el.clientWidth, 0],
      [0, el.clientHeight],
      [el.clientWidth, el.clientHeight],
    ].map(([x, y]) => this.d.viewer.screenToImage(x as number, y as number));
    if (corners.some((p) => p === null) || el.clientWidth === 0) return null;
    const xs = corners.map((p) => Math.max(0, (p as Point).x));
    const ys = corners.map((p) => Math.max(0, (p as Point).y));
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }

  private hover(ev: PointerEvent): void {
    const rect = this.d.hoverTarget.getBoundingClientRect();
    const p = this.d.viewer.screenToImage(ev.clientX - rect.left, ev.clientY - rect.top);
    const at = p === null ? null : suggestionAt(this.list, p.x, p.y, 4);
    const id = at?.id ?? null;
    if (id === this.hovered) return;
    this.hovered = id;
    this.d.hoverTarget.title = at === null ? '' : scoreText(at, (c) => this.d.nameOf(c));
    this.d.invalidate();
  }
}

/** What suggestionsFor takes of the viewer page's setup. */
export interface PageParts {
  readonly ctx: { readonly api: ApiClient };
  readonly slideId: string;
  readonly viewer: SlideViewer;
  readonly palette: { idAt(n: number): string | null; byId(id: string): { name: string; color: string } | undefined };
  report(err: unknown): void;
}

/** suggestionsFor builds the mode for a viewer page and paints it on the marks' overlay. */
export function suggestionsFor(
  s: PageParts,
  overlay: { addPainter(p: (c: CanvasRenderingContext2D, m: Affine) => void): void; invalidate(): void },
  page: Pick<SuggestionDeps, 'accepted' | 'editing'>,
): SuggestionMode {
  const mode = new SuggestionMode({
    api: s.ctx.api,
    slideId: s.slideId,
    viewer: s.viewer,
    hoverTarget: s.viewer.osd.canvas,
    categoryAt: (n) => s.palette.idAt(n),
    colorOf: (id) => s.palette.byId(String(id))?.color ?? '#ffbf00',
    nameOf: (id) => s.palette.byId(String(id))?.name ?? `category ${id}`,
    invalidate: () => overlay.invalidate(),
    report: (err) => s.report(err),
    accepted: (mark) => page.accepted(mark),
    editing: (on) => page.editing(on),
    grabPointer: (g) => grabOn(s.viewer, g),
  });
  overlay.addPainter((c, m) => mode.paint(c, m));
  return mode;
}

type OsdPointerEvent = { position: OpenSeadragon.Point; preventDefaultAction?: boolean };

/** grabOn routes the viewer's presses, drags and releases to g, in image pixels, until let go. */
function grabOn(viewer: SlideViewer, g: PointerGrab): () => void {
  const at = (ev: OsdPointerEvent): { p: Point; scale: number } | null => {
    const p = viewer.screenToImage(ev.position.x, ev.position.y);
    const m = viewer.imageToScreen();
    return p === null || m === null ? null : { p, scale: scaleOf(m) };
  };
  const press = (ev: OsdPointerEvent): void => {
    const a = at(ev);
    if (a !== null && g.press(a.p, a.scale)) ev.preventDefaultAction = true;
  };
  const drag = (ev: OsdPointerEvent): void => {
    const a = at(ev);
    if (a !== null && g.drag(a.p)) ev.preventDefaultAction = true;
  };
  const release = (ev: OsdPointerEvent): void => {
    if (g.release()) ev.preventDefaultAction = true;
  };
  const osd = viewer.osd;
  osd.addHandler('canvas-press', press as OpenSeadragon.EventHandler<OpenSeadragon.CanvasPressEvent>);
  osd.addHandler('canvas-drag', drag as OpenSeadragon.EventHandler<OpenSeadragon.CanvasDragEvent>);
  osd.addHandler('canvas-release', release as OpenSeadragon.EventHandler<OpenSeadragon.CanvasReleaseEvent>);
  return () => {
    osd.removeHandler('canvas-press', press as OpenSeadragon.EventHandler<OpenSeadragon.CanvasPressEvent>);
    osd.removeHandler('canvas-drag', drag as OpenSeadragon.EventHandler<OpenSeadragon.CanvasDragEvent>);
    osd.removeHandler('canvas-release', release as OpenSeadragon.EventHandler<OpenSeadragon.CanvasReleaseEvent>);
  };
}
