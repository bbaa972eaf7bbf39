import type OpenSeadragon from 'openseadragon';
import type { ApiClient } from '../api/client';
import { acceptSuggestion, listSuggestionPage, nextSuggestion, rejectSuggestion, suggestionProgress, type AcceptEdit, type Suggestion } from '../api/suggestions';
import { h } from '../dom';
import { scaleOf, type Affine, type Point } from '../viewer/geometry';
import type { SlideViewer } from '../viewer/viewer';
import { ShapeEdit } from './edit';
import { SuggestionIndex } from './index';
import { centreOf, paintSuggestions, progressText, scoreText } from './layer';
import { around, covers, loadRegion, type Region } from './loader';
import { SuggestionOverlay, type OverlayViewer } from './overlay';

/** pageLimit is how many suggestions one request may bring (the service allows up to 50,000). */
const pageLimit = 20_000;

/** What the suggestions mode needs of the viewer page. */
export interface SuggestionDeps {
  readonly api: ApiClient;
  readonly slideId: string;
  readonly viewer: OverlayViewer & {
    panToImage(x: number, y: number): void;
    screenToImage(x: number, y: number): Point | null;
  };
  /** size is the slide's, in level-0 pixels. */
  readonly size: { readonly width: number; readonly height: number };
  /** hoverTarget is the element over the slide: its pointer moves show a suggestion's score, its size is the view. */
  readonly hoverTarget: HTMLElement;
  /** categoryAt answers the category key n (1–9) picks. */
  categoryAt(n: number): string | null;
  colorOf(category: number): string;
  nameOf(category: number): string;
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
  private readonly index: SuggestionIndex;
  private readonly overlay: SuggestionOverlay;
  /** loaded is the region held (null: none), complete when all of its suggestions came. */
  private loaded: Region | null = null;
  private complete = false;
  private undecided = 0;
  /** decided are ids decided here: a load on its way when they were must not bring them back. */
  private readonly decided = new Set<number>();
  private loading: AbortController | null = null;
  private current: Suggestion | null = null;
  private hovered: number | null = null;
  private busy = false;
  /**
   * queued are the decision keys pressed while a decision was on its way:
   * each applies, in order, to the suggestion shown when its turn comes, as
   * if pressed then. A quick "A A R" decides three, not one.
   */
  private readonly queued: (() => Promise<void>)[] = [];
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
    this.index = new SuggestionIndex(d.size.width, d.size.height);
    this.overlay = new SuggestionOverlay(d.viewer, this.index, (key) => d.colorOf(Number(key)), (c, m) => this.paint(c, m));
    this.unwatch = d.viewer.onRender(() => this.viewChanged());
  }

  private invalidate(): void {
    this.overlay.invalidate();
  }

  get active(): boolean {
    return this.on;
  }

  /** held counts the suggestions held around the view. */
  get held(): number {
    return this.index.size;
  }

  get currentId(): number | null {
    return this.current?.id ?? null;
  }

  toggle(): void {
    this.on = !this.on;
    this.toggleButton.setAttribute('aria-pressed', String(this.on));
    this.controls.hidden = !this.on;
    this.overlay.show(this.on);
    if (this.on) {
      this.d.hoverTarget.addEventListener('pointermove', this.onMove);
      void this.count().then(() => this.load());
    } else {
      this.queued.length = 0; // keys meant for a layer no longer shown
      this.stopEdit();
      this.d.hoverTarget.removeEventListener('pointermove', this.onMove);
      this.loading?.abort();
      this.index.clear();
      this.loaded = null;
      this.current = null;
      this.hovered = null;
      this.info.textContent = '';
    }
    this.invalidate();
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
    if (this.busy) return void this.queue(async () => this.editOrAccept());
    const s = this.current;
    if (s === null) return;
    try {
      this.edit = new ShapeEdit(s);
    } catch (err) {
      return this.d.report(err);
    }
    const grab: PointerGrab = {
      press: (p, scale) => this.edit?.press(p, scale) ?? false,
      drag: (p) => {
        const moved = this.edit?.drag(p) ?? false;
        if (moved) this.invalidate();
        return moved;
      },
      release: () => this.edit?.release() ?? false,
    };
    this.letGo = this.d.grabPointer(grab);
    this.d.editing(true);
    this.info.textContent = 'Editing: drag the shape or its corners, then Enter (or E) accepts it as edited; Escape cancels.';
    this.invalidate();
  }

  private stopEdit(): void {
    if (this.edit === null) return;
    this.edit = null;
    this.letGo?.();
    this.letGo = null;
    this.d.editing(false);
    this.invalidate();
  }

  private escape(): void {
    this.queued.length = 0;
    if (this.edit === null) return this.toggle();
    this.stopEdit();
    this.show(this.current);
  }

  /**
   * paint draws, over the suggestions the overlay drew, the current one
   * (thicker), the hovered one's score and E's draft.
   */
  private paint(c: CanvasRenderingContext2D, m: Affine): void {
    if (!this.on) return;
    const edit = this.edit;
    const list: Suggestion[] = [];
    for (const s of [this.current, this.hovered === null ? undefined : this.index.get(this.hovered)]) if (s !== null && s !== undefined && !list.includes(s)) list.push(s);
    if (edit !== null) edit.paint(c, m, this.d.colorOf(edit.suggestion.properties.category_id));
    paintSuggestions(c, edit === null ? list : list.filter((s) => s.id !== edit.suggestion.id), m, {
      colorOf: (id) => this.d.colorOf(id),
      current: this.current?.id ?? null,
      hovered: this.hovered,
      label: (s) => scoreText(s, (id) => this.d.nameOf(id)),
    });
  }

  dispose(): void {
    this.stopEdit();
    this.loading?.abort();
    this.overlay.destroy();
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
      return this.invalidate();
    }
    if (!this.index.has(s.id)) this.index.add(s);
    const c = centreOf(s);
    this.d.viewer.panToImage(c.x, c.y);
    this.info.textContent = scoreText(s, (id) => this.d.nameOf(id));
    this.invalidate();
  }

  /** accept accepts the current suggestion, as category when given, as edited while E's edit is on. */
  private async accept(category: number | undefined): Promise<void> {
    if (this.busy) return this.queue(() => this.accept(category));
    const s = this.current;
    if (s === null) return;
    const edit: AcceptEdit | undefined = this.edit?.suggestion.id === s.id && this.edit.changed ? this.edit.body() : undefined;
    await this.decide(s, async () => {
      const mark = await acceptSuggestion(this.d.api, s.id, category, edit);
      this.stopEdit();
      this.d.accepted(mark);
    });
  }

  private async reject(): Promise<void> {
    if (this.busy) return this.queue(() => this.reject());
    const s = this.current;
    if (s === null) return;
    this.stopEdit();
    await this.decide(s, () => rejectSuggestion(this.d.api, s.id).then(() => undefined));
  }

  /** decide runs one decision, drops the suggestion from the layer and moves on to the next most uncertain. */
  private async decide(s: Suggestion, fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await fn();
      this.decided.add(s.id);
      this.index.remove(s.id);
      // The next one is shown before the count changes, so "N of M
      // reviewed" means the viewer is ready for the next key.
      this.show(await nextSuggestion(this.d.api, this.d.slideId, 0));
      await this.count();
    } catch (err) {
      this.queued.length = 0; // keys meant for suggestions this failure never showed
      this.d.report(err);
    } finally {
      this.busy = false;
    }
    const then = this.queued.shift();
    if (then !== undefined) await then();
  }

  /** queue keeps a decision key pressed while another decision is on its way (at most a few). */
  private queue(fn: () => Promise<void>): void {
    if (this.queued.length < 8) this.queued.push(fn);
  }

  private async count(): Promise<void> {
    try {
      const p = await suggestionProgress(this.d.api, this.d.slideId);
      this.undecided = p.undecided;
      this.progress.textContent = progressText(p.reviewed, p.total);
    } catch (err) {
      this.d.report(err);
    }
  }

  /**
   * load holds the undecided suggestions of the region around the view (the
   * view grown by a quarter each side), all of them however many: a pan
   * within that region needs no new load.
   */
  private async load(): Promise<void> {
    const view = this.box();
    if (!this.on || view === null || (this.complete && covers(this.loaded, view))) return;
    const region = around(view, this.d.size.width, this.d.size.height);
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    try {
      const got = await loadRegion(
        (box) => listSuggestionPage(this.d.api, this.d.slideId, box, { limit: pageLimit, signal: abort.signal }),
        region,
        pageLimit,
        // The slide's count, spread evenly: what the region may hold.
        (this.undecided * (region[2] - region[0]) * (region[3] - region[1])) / Math.max(1, this.d.size.width * this.d.size.height),
      );
      if (!this.on || abort.signal.aborted) return;
      this.index.replace(got.list.filter((x) => !this.decided.has(x.id)));
      // The current one stays shown even when the view moved away from it.
      const cur = this.current;
      if (cur !== null && cur.properties.state === 'undecided' && !this.decided.has(cur.id)) this.index.add(cur);
      [this.loaded, this.complete] = [region, got.complete];
      this.invalidate();
    } catch (err) {
      if (!abort.signal.aborted) this.d.report(err);
    } finally {
      if (this.loading === abort) this.loading = null;
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

  /** box is the part of the slide in view, in level-0 pixels (null: not known before the slide opens). */
  private box(): Region | null {
    const el = this.d.hoverTarget;
    const corners = [
      [0, 0],
      [el.clientWidth, 0],
      [0, el.clientHeight],
      [el.clientWidth, el.clientHeight],
    ].map(([x, y]) => this.d.viewer.screenToImage(x as number, y as number));
    if (corners.some((p) => p === null) || el.clientWidth === 0) return null;
    const xs = corners.map((p) => Math.min(this.d.size.width, Math.max(0, (p as Point).x)));
    const ys = corners.map((p) => Math.min(this.d.size.height, Math.max(0, (p as Point).y)));
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }

  private hover(ev: PointerEvent): void {
    const rect = this.d.hoverTarget.getBoundingClientRect();
    const p = this.d.viewer.screenToImage(ev.clientX - rect.left, ev.clientY - rect.top);
    const m = this.d.viewer.imageToScreen();
    const at = p === null || m === null ? null : this.index.at(p.x, p.y, 6 / scaleOf(m));
    const id = at?.id ?? null;
    if (id === this.hovered) return;
    this.hovered = id;
    this.d.hoverTarget.title = at === null ? '' : scoreText(at, (c) => this.d.nameOf(c));
    this.invalidate();
  }
}

/** What suggestionsFor takes of the viewer page's setup. */
export interface PageParts {
  readonly ctx: { readonly api: ApiClient };
  readonly slideId: string;
  readonly viewer: SlideViewer;
  readonly size: { readonly width: number; readonly height: number };
  readonly palette: { idAt(n: number): string | null; byId(id: string): { name: string; color: string } | undefined };
  report(err: unknown): void;
}

/** suggestionsFor builds the mode for a viewer page; it draws on a canvas of its own over the marks. */
export function suggestionsFor(s: PageParts, page: Pick<SuggestionDeps, 'accepted' | 'editing'>): SuggestionMode {
  return new SuggestionMode({
    api: s.ctx.api,
    slideId: s.slideId,
    viewer: s.viewer,
    size: s.size,
    hoverTarget: s.viewer.osd.canvas,
    categoryAt: (n) => s.palette.idAt(n),
    colorOf: (id) => s.palette.byId(String(id))?.color ?? '#ffbf00',
    nameOf: (id) => s.palette.byId(String(id))?.name ?? `category ${id}`,
    report: (err) => s.report(err),
    accepted: (mark) => page.accepted(mark),
    editing: (on) => page.editing(on),
    grabPointer: (g) => grabOn(s.viewer, g),
  });
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
