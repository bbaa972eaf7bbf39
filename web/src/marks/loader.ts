import type { BBox, GridCounts } from '../api/annotations';
import type { Mark, MarkPage, ServerMark } from './mark';
import { DensityMap } from '../overlay/density';
import type { Rect } from '../viewer/geometry';
import type { MarkDocument } from './document';
import { cellFor, covers, defaultLodOptions, detailFor, estimate, regionFor, wholeSlide, type Detail, type LodOptions } from './lod';

/** MarkSource is the annotation service's read side, as the loader needs it. */
export interface MarkSource {
  grid(box: BBox, cell: number, author: string | undefined, signal: AbortSignal): Promise<GridCounts>;
  marks(box: BBox, limit: number, tolerance: number, signal: AbortSignal): Promise<MarkPage>;
  one(id: number): Promise<ServerMark>;
}

/** Ledger is the save queue's knowledge of server identities and unsent edits. */
export interface Ledger {
  refOf(id: number): string | undefined;
  serverId(ref: string): number | undefined;
  versionOf(ref: string): number | undefined;
  pending(ref: string): boolean;
  track(ref: string, id: number, version: number): void;
  untrack(ref: string): void;
}

/** View is what the screen shows: the visible image box and the scale (screen px per image px). */
export interface View {
  readonly rect: Rect;
  readonly scale: number;
}

export interface LoaderTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LoaderOptions {
  readonly source: MarkSource;
  readonly ledger: Ledger;
  readonly doc: MarkDocument;
  readonly slide: { readonly width: number; readonly height: number };
  /** view answers what is on screen now, null before the slide is drawn. */
  view(): View | null;
  /** authors lists the authors shown when some are hidden, null when all are. */
  authors(): readonly string[] | null;
  readonly lod?: LodOptions;
  readonly timers?: LoaderTimers;
  /** quietMs: how long the view must rest before a load; maxWaitMs caps it during a long pan. */
  readonly quietMs?: number;
  readonly maxWaitMs?: number;
}

/** Loaded describes what the document holds now. */
export interface Loaded {
  /** marks: real marks of region; grid: counts per cell (dense: there were more marks than one request may bring). */
  readonly kind: 'marks' | 'grid';
  readonly region: BBox;
  readonly cell: number;
  readonly tolerance: number;
  readonly dense: boolean;
  /** simplifiedShapes: some shapes are held thinned, so zooming in needs their real outline. */
  readonly simplifiedShapes: boolean;
  readonly authors: string;
  /** marks is how many server marks the document holds for the region. */
  readonly marks: number;
}

export interface LoaderEvents {
  /** loaded: a new region is shown (marks or counts). */
  loaded?(state: Loaded): void;
  /** failed: a load failed (not aborted); reported once until a load succeeds. */
  failed?(err: unknown): void;
}

/**
 * ViewportLoader keeps the document holding the marks of the region around
 * the view and nothing else, so memory follows the screen, not the slide.
 * Zoomed out until a usual mark is narrower than a screen pixel, or where
 * the region holds more marks than one request may bring, it holds the
 * service's counts per cell instead (a DensityMap) and no server marks.
 * Shapes are asked thinned to half a screen pixel when zoomed out and held
 * as simplified; edits load the exact mark first (exact()).
 *
 * Local edits win over what a load brings: marks with unsent edits, and
 * marks edited or saved while the load was on its way, keep their state.
 */
export class ViewportLoader {
  private have: Loaded | null = null;
  private want: { detail: Detail; authors: string; region: BBox } | null = null;
  private flight: AbortController | null = null;
  private timer: unknown = null;
  private firstAsk: number | null = null;
  private failing = false;
  private readonly touched = new Set<string>();
  /** counts are the last counts of every author, which tell whether a smaller region fits in one request. */
  private counts: GridCounts | null = null;
  private readonly exacts = new Map<string, Promise<Mark | undefined>>();
  private readonly listeners: LoaderEvents[] = [];
  private readonly lod: LodOptions;
  private readonly timers: LoaderTimers;
  private closed = false;
  private readonly unlisten: () => void;
  density: DensityMap | null = null;

  constructor(private readonly o: LoaderOptions) {
    this.lod = o.lod ?? defaultLodOptions;
    this.timers = o.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
    this.unlisten = o.doc.onEdit((edits) => {
      for (const e of edits) this.touched.add(e.ref);
    });
  }

  on(events: LoaderEvents): () => void {
    this.listeners.push(events);
    return () => this.listeners.splice(this.listeners.indexOf(events), 1);
  }

  /** state is what is loaded now, null before the first load. */
  get state(): Loaded | null {
    return this.have;
  }

  /** complete tells whether the document holds every mark of the slide (counts can come from it). */
  get complete(): boolean {
    const h = this.have;
    return h !== null && h.kind === 'marks' && wholeSlide(h.region, this.o.slide);
  }

  /** saved notes that ref was saved: a load already on its way may carry an older state of it. */
  saved(ref: string): void {
    this.touched.add(ref);
  }

  /** viewChanged is called on every frame; a load starts once the view rests and needs one. */
  viewChanged(): void {
    const view = this.o.view();
    if (this.closed || view === null || this.satisfied(view)) return;
    const now = Date.now();
    this.firstAsk ??= now;
    const wait = Math.max(0, Math.min(this.o.quietMs ?? 150, this.firstAsk + (this.o.maxWaitMs ?? 600) - now));
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.firstAsk = null;
      void this.sync();
    }, wait);
  }

  /** refresh loads the view again, even if it looks loaded (other authors shown, the network is back, counts changed). */
  refresh(): Promise<void> {
    this.have = null;
    // A load already on its way may have been read before what made the refresh necessary.
    this.want = null;
    return this.sync();
  }

  /** sync loads what the current view needs, now; it resolves when that is shown (or failed). */
  async sync(): Promise<void> {
    const view = this.o.view();
    if (this.closed || view === null || this.satisfied(view)) return;
    const detail = detailFor(view.scale, this.lod);
    const authors = this.authorsKey();
    const cell = detail.kind === 'grid' ? detail.cell : cellFor(view.scale, this.lod.minCellPx);
    const region = regionFor(view.rect, this.o.slide, this.lod.margin, detail.kind === 'grid' ? cell : this.lod.snap);
    this.flight?.abort();
    const flight = new AbortController();
    this.flight = flight;
    this.want = { detail, authors, region };
    this.touched.clear();
    let failed = false;
    try {
      await this.load(region, cell, detail, authors, flight.signal);
      if (!flight.signal.aborted) this.failing = false;
    } catch (err) {
      if (flight.signal.aborted) return;
      failed = true;
      if (!this.failing) for (const l of this.listeners) l.failed?.(err);
      this.failing = true;
    } finally {
      if (this.flight === flight) {
        this.flight = null;
        this.want = null;
      }
    }
    // The view may have moved on while this load was on its way. After a failure, the
    // next move, refresh() or the browser coming back online tries again.
    if (!failed) this.viewChanged();
  }

  /**
   * exact answers mark with its real shape: at once when it is not
   * simplified, else after loading it (undefined when that fails or the
   * mark went away meanwhile).
   */
  exact(mark: Mark): Promise<Mark | undefined> {
    if (mark.simplified !== true) return Promise.resolve(mark);
    const ref = mark.ref;
    let p = this.exacts.get(ref);
    if (p === undefined) {
      p = this.loadExact(ref).finally(() => this.exacts.delete(ref));
      this.exacts.set(ref, p);
    }
    return p;
  }

  close(): void {
    this.closed = true;
    this.flight?.abort();
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.unlisten();
    // Counts per cell and the refs touched go now: see MarkOverlay.destroy.
    this.counts = null;
    this.density = null;
    this.touched.clear();
    this.exacts.clear();
  }

  private async loadExact(ref: string): Promise<Mark | undefined> {
    const id = this.o.ledger.serverId(ref);
    if (id === undefined) return undefined;
    try {
      const sm = await this.o.source.one(id);
      const cur = this.o.doc.get(ref);
      if (cur === undefined || cur.simplified !== true) return cur;
      this.o.ledger.track(ref, sm.id, sm.version);
      this.o.doc.show({ ...sm.mark, ref });
      return this.o.doc.get(ref);
    } catch (err) {
      for (const l of this.listeners) l.failed?.(err);
      return undefined;
    }
  }

  private authorsKey(): string {
    const a = this.o.authors();
    return a === null ? '*' : [...a].sort().join(',');
  }

  /** satisfied tells whether what is loaded, or on its way, serves view. */
  private satisfied(view: View): boolean {
    const detail = detailFor(view.scale, this.lod);
    const authors = this.authorsKey();
    const w = this.want;
    if (w !== null && sameDetail(w.detail, detail) && w.authors === authors && covers(w.region, view.rect, this.o.slide)) return true;
    const h = this.have;
    if (h === null || !covers(h.region, view.rect, this.o.slide)) return false;
    if (detail.kind === 'marks' && h.kind === 'marks') return h.tolerance <= detail.tolerance || !h.simplifiedShapes;
    // Counts: the same cells (a zoom step that keeps the cell size, or a pan inside the region)...
    const cell = detail.kind === 'grid' ? detail.cell : cellFor(view.scale, this.lod.minCellPx);
    if (h.kind !== 'grid' || h.cell !== cell || h.authors !== authors || (detail.kind === 'marks') !== h.dense) return false;
    // ...and, where there were too many marks, still too many for the region this view would load.
    if (!h.dense || this.counts === null) return true;
    return estimate(this.counts, regionFor(view.rect, this.o.slide, this.lod.margin, this.lod.snap)) > this.lod.limit;
  }

  private async load(region: BBox, cell: number, detail: Detail, authors: string, signal: AbortSignal): Promise<void> {
    const src = this.o.source;
    const all = await src.grid(region, cell, undefined, signal);
    if (signal.aborted) return;
    this.counts = all;
    if (detail.kind === 'marks' && estimate(all, region) <= this.lod.limit) {
      const page = await src.marks(region, this.lod.limit, detail.tolerance, signal);
      if (signal.aborted) return;
      if (!page.truncated) return this.showMarks(page, region, cell, detail.tolerance, authors);
    }
    const shown = this.o.authors();
    const map = new DensityMap(cell, this.o.slide);
    if (shown === null) map.add(all);
    else for (const a of shown) map.add(await src.grid(region, cell, a, signal));
    if (signal.aborted) return;
    this.showCounts(map, region, cell, detail.kind === 'marks', authors);
  }

  /** showMarks makes the document hold the page's marks, local edits and nothing else. */
  private showMarks(page: MarkPage, region: BBox, cell: number, tolerance: number, authors: string): void {
    const { doc, ledger } = this.o;
    const keep = new Set<string>();
    const show: Mark[] = [];
    let simplifiedShapes = false;
    for (const sm of page.marks) {
      const ref = ledger.refOf(sm.id) ?? String(sm.id);
      keep.add(ref);
      if (ledger.pending(ref) || this.touched.has(ref)) continue;
      const known = ledger.versionOf(ref);
      const cur = doc.get(ref);
      // A save of ours that landed after the server read: what the document has is newer.
      if (known !== undefined && known > sm.version) continue;
      const simplified = tolerance > 0 && sm.mark.geometry.kind !== 'point';
      simplifiedShapes ||= simplified;
      // An exact outline loaded for an edit stays until the mark changes.
      if (simplified && cur !== undefined && cur.simplified !== true && known === sm.version) continue;
      ledger.track(ref, sm.id, sm.version);
      show.push(simplified ? { ...sm.mark, ref, simplified: true } : { ...sm.mark, ref });
    }
    this.forgetAllBut(keep, show);
    this.density = null;
    this.loaded({ kind: 'marks', region, cell, tolerance, dense: false, simplifiedShapes, authors, marks: keep.size });
  }

  private showCounts(map: DensityMap, region: BBox, cell: number, dense: boolean, authors: string): void {
    this.forgetAllBut(new Set(), []);
    this.density = map;
    this.loaded({ kind: 'grid', region, cell, tolerance: 0, dense, simplifiedShapes: false, authors, marks: 0 });
  }

  /**
   * forgetAllBut drops every mark from the document except keep, marks with
   * unsent edits and marks edited meanwhile, then shows show. Server
   * identities are forgotten too, except for marks undo or redo may bring back.
   */
  private forgetAllBut(keep: ReadonlySet<string>, show: readonly Mark[]): void {
    const { doc, ledger } = this.o;
    const forget: string[] = [];
    for (const m of doc.all()) {
      if (!keep.has(m.ref) && !ledger.pending(m.ref) && !this.touched.has(m.ref)) forget.push(m.ref);
    }
    const history = doc.historyRefs();
    for (const ref of forget) if (!history.has(ref)) ledger.untrack(ref);
    doc.replace(forget, show);
  }

  private loaded(state: Loaded): void {
    this.have = state;
    for (const l of this.listeners) l.loaded?.(state);
  }
}

function sameDetail(a: Detail, b: Detail): boolean {
  return a.kind === b.kind && (a.kind === 'grid' ? a.cell === (b as { cell: number }).cell : a.tolerance === (b as { tolerance: number }).tolerance);
}
