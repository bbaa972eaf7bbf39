import { getAnnotation } from '../api/annotations';
import { ApiError } from '../api/error';
import { listMembers } from '../api/members';
import { listCategories } from '../api/projects';
import { dziUrl, getSlide } from '../api/slides';
import type { Category, Slide } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { newId } from '../ids';
import { MarkDocument } from '../marks/document';
import { ViewportLoader } from '../marks/loader';
import { fromFeature, sameContent, toFeature, type Feature, type Mark } from '../marks/mark';
import { Tally } from '../marks/tally';
import { MarkOverlay } from '../overlay/overlay';
import type { CategoryStyle } from '../overlay/render';
import { paintShapes } from '../overlay/shapes';
import { IndexedDBOutboxStore } from '../sync/idb';
import { MemoryOutboxStore, type OutboxStore } from '../sync/outbox';
import { SaveQueue, type ConflictView } from '../sync/queue';
import { applyChange, openLive, type LiveTarget } from '../sync/live';
import { ApiTransport } from '../sync/transport';
import type { EditContext } from '../tools/context';
import { DragShapeTool, PolygonTool } from '../tools/draw';
import { EraserTool } from '../tools/eraser';
import { PointTool } from '../tools/point';
import { BrushTool } from '../tools/brush';
import { SelectTool } from '../tools/select';
import { panTool, ToolController, type Tool } from '../tools/tool';
import { displayName } from '../session';
import { magnificationButtons, scaleWidget, type Optics } from '../viewer/scalewidget';
import { SlideViewer, type ImageSize } from '../viewer/viewer';
import { AnnotatorFilter } from './annotators';
import { errorText, isAbort } from './common';
import { helpDialog } from './help';
import { shortcutAllowed } from './keys';
import { MarkInfo } from './markinfo';
import { Notices } from './notices';
import { apiSource, densityLayer, recounter, statsText, viewOf } from './viewport';
import { overlayPanel } from './overlays';
import { Palette } from './palette';
import { conflictSentence, lastChange, paintConflicts } from './conflictwords';
import { signedInAgain } from './reauth';
import { featureCentre, paintRefusals, RefusalDialog } from './refusals';
import { ReviewMode } from './review';
import { suggestionsFor, type SuggestionMode } from '../suggestions/mode';
import { SaveIndicator } from './savestatus';
import { statusButton } from './statusbutton';
import { rangeField, sizeText, toolbarGroup, toolButtons, viewControls } from './viewercontrols';

const hiddenStyle: CategoryStyle = { color: '#000', visible: false };
const defaultMarkerRadius = 8;

/** Slots are the parts of the page that fill in once the slide and its marks are loaded. */
interface Slots {
  readonly title: HTMLElement;
  readonly messages: Notices;
  readonly save: HTMLElement;
  readonly status: HTMLElement;
  readonly review: HTMLElement;
  readonly overlays: HTMLElement;
  readonly toolbar: HTMLElement;
  readonly tools: HTMLElement;
  readonly stats: HTMLElement;
}

export function viewerPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const slideId = req.params['slideId'] ?? '';
  const ws = workspace(ctx, projectId, slideId, { prefix: '', stageClass: 'viewer-stage', stageLabel: 'Slide view', heading: 'h1' });
  const element = h(
    'section',
    { class: 'viewer-page' },
    h(
      'header',
      { class: 'viewer-head' },
      h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: '/' }, 'Projects'), ' / ',
        h('a', { href: `/projects/${encodeURIComponent(projectId)}` }, 'Slides')),
      ...ws.head,
    ),
    ws.body,
  );
  // Keys and tools work from here on; tests and people waiting on the page can tell.
  void ws.ready.then((ok) => {
    if (ok) element.dataset['ready'] = 'true';
  });
  return { title: 'Viewer', element, dispose: ws.dispose };
}

export interface WorkspaceOptions {
  /** prefix keeps element ids unique when two workspaces share a page (side by side). */
  readonly prefix: string;
  readonly stageClass: string;
  readonly stageLabel: string;
  readonly heading: 'h1' | 'h2';
  /** keysActive tells whether this workspace takes the keyboard shortcuts now (the pane last used). */
  readonly keysActive?: () => boolean;
  /** titleOf is the heading for the slide (its name unless told otherwise). */
  readonly titleOf?: (s: Slide) => string;
  /** titleClass is added to the heading's class. */
  readonly titleClass?: string;
}

/** Workspace is one slide with its marks, tools and settings, to be laid out by a page. */
export interface Workspace {
  readonly viewer: SlideViewer;
  readonly stage: HTMLElement;
  /** head holds the title, save status, annotator status and view toolbar. */
  readonly head: readonly HTMLElement[];
  /** body holds the floating messages, the slide and the side column. */
  readonly body: HTMLElement;
  /** ready resolves true once marks, keys and tools work (false if the slide failed to open). */
  readonly ready: Promise<boolean>;
  dispose(): void;
}

/**
 * workspace builds the marking workspace of one slide: the viewer page has
 * one, the side-by-side page one per slide, so marks show and can be made
 * in either pane.
 */
export function workspace(ctx: AppContext, projectId: string, slideId: string, o: WorkspaceOptions): Workspace {
  const abort = new AbortController();
  const me = String(ctx.session.user?.id ?? '');
  const slots: Slots = {
    title: h(o.heading, { class: `viewer-title${o.titleClass === undefined ? '' : ` ${o.titleClass}`}`, tabindex: -1 }, 'Slide'),
    messages: new Notices(),
    save: h('div', { class: 'save-slot' }),
    status: h('div', { class: 'status-slot' }),
    review: h('div', { class: 'review-slot' }),
    overlays: h('div', { class: 'overlays-slot' }),
    toolbar: h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': o.prefix === '' ? 'View' : `View of slide ${slideId}` }),
    tools: h('div', { class: 'tool-grid', role: 'toolbar', 'aria-label': o.prefix === '' ? 'Annotation tools' : `Annotation tools of slide ${slideId}` }),
    stats: h('p', { class: 'viewer-stats', 'aria-live': 'off' }),
  };
  const stage = h('div', { class: o.stageClass, role: 'region', 'aria-label': o.stageLabel });
  const palette = new Palette(o.prefix);
  const user = ctx.session.user;
  const annotators = new AnnotatorFilter(me, user === null ? 'You' : displayName(user), o.prefix);
  const markerSize = rangeField(`${o.prefix}marker-size`, 'Marker size', 1, 100, defaultMarkerRadius, (v) => `${v} px`);
  const brushWidth = rangeField(`${o.prefix}brush-width`, 'Brush width', 4, 200, 30, (v) => `${v} px`);
  const opacity = rangeField(`${o.prefix}mark-opacity`, 'Mark opacity', 10, 100, 100, (v) => `${v} %`);
  const viewer = new SlideViewer(stage, dziUrl(slideId), o.prefix === '' ? 'Overview of the whole slide' : `Overview of slide ${slideId}`);
  const body = h(
    'div',
    { class: 'viewer-body' },
    // Messages float over the slide: they never push it down mid-drawing.
    slots.messages.element,
    stage,
    h('aside', { class: 'viewer-side', 'aria-label': o.prefix === '' ? 'Annotation settings' : `Annotation settings of slide ${slideId}` },
      slots.tools, palette.element, markerSize.element, brushWidth.element, opacity.element, annotators.element, slots.overlays, slots.review, slots.stats),
  );
  let state: Loaded | null = null;
  let disposed = false;
  const report = (err: unknown): void => {
    if (!isAbort(err)) slots.messages.error(errorText(err));
  };

  const slide = getSlide(ctx.api, slideId, abort.signal).then(
    (s) => {
      slots.title.textContent = o.titleOf?.(s) ?? s.name;
      return s;
    },
    (err: unknown) => {
      report(err);
      return null;
    },
  );
  listMembers(ctx.api, projectId, abort.signal).then((ms) => annotators.setMembers(ms), () => undefined);
  const categories = listCategories(ctx.api, projectId, abort.signal).catch((err: unknown) => {
    report(err);
    return [] as Category[];
  });
  const ready = Promise.all([viewer.whenOpen(), categories, slide])
    .then(async ([size, cats, info]) => {
      palette.setCategories(cats);
      const optics = { mpp: info?.mpp_x, objective: info?.objective };
      // Marker and brush sizes in µm too: a nucleus is about 8 µm whatever the scan's resolution.
      markerSize.relabel((v) => sizeText(v, optics.mpp));
      brushWidth.relabel((v) => sizeText(v, optics.mpp));
      const loaded = await setUp({
        ctx, slideId, me, viewer, size, optics, palette, annotators, markerSize: markerSize.input, brushWidth: brushWidth.input, opacity: opacity.input, slots, report,
        signal: abort.signal, keysActive: o.keysActive ?? (() => true),
      });
      if (disposed) {
        loaded.dispose();
        return false;
      }
      state = loaded;
      return true;
    })
    .catch((err: unknown) => {
      report(err);
      return false;
    });
  return {
    viewer,
    stage,
    head: [slots.title, slots.save, slots.status, slots.toolbar],
    body,
    ready,
    dispose: () => {
      disposed = true;
      abort.abort();
      state?.dispose();
      viewer.destroy();
    },
  };
}

interface Loaded {
  dispose(): void;
}

interface Setup {
  readonly ctx: AppContext;
  readonly slideId: string;
  readonly me: string;
  readonly viewer: SlideViewer;
  readonly size: ImageSize;
  readonly optics: Optics;
  readonly palette: Palette;
  readonly annotators: AnnotatorFilter;
  readonly markerSize: HTMLInputElement;
  readonly brushWidth: HTMLInputElement;
  readonly opacity: HTMLInputElement;
  readonly slots: Slots;
  readonly signal: AbortSignal;
  /** keysActive: whether this workspace takes the shortcuts now (side by side, the pane last used). */
  keysActive(): boolean;
  report(err: unknown): void;
}

/** setUp builds the editing machinery once the slide is open: marks, outbox, overlay, tools, keys. */
async function setUp(s: Setup): Promise<Loaded> {
  const queue = await SaveQueue.open({
    scope: { user: s.me, slide: s.slideId },
    store: outboxStore(),
    transport: new ApiTransport(s.ctx.api),
    newKey: newId,
  });
  const doc = new MarkDocument(s.size.width, s.size.height, { put: (m) => queue.put(m.ref, toFeature(m)), remove: (ref) => queue.remove(ref) }, s.me);
  const tally = new Tally(s.me);
  doc.onEdit((edits) => tally.edit(edits));
  const visible = (m: Mark): boolean => {
    const cat = s.palette.byId(m.category);
    return cat !== undefined && s.palette.isVisible(cat) && s.annotators.isVisible(m.author);
  };
  const overlay = markOverlay(s, doc, visible);
  const loader = new ViewportLoader({
    source: apiSource(s.ctx.api, s.slideId, defaultMarkerRadius),
    ledger: queue,
    doc,
    slide: s.size,
    view: () => viewOf(s.viewer, overlay.canvas),
    authors: () => s.annotators.visibleAuthors(tally.ready ? tally.byAuthor().keys() : doc.countByAuthor().keys()),
  });
  // Counts come from the marks held when they are all of the slide's (or the service's counts cannot be read).
  const local = (): boolean => loader.complete || !tally.ready;
  const refresh = (): void => {
    // Legend counts are whole-slide and follow the annotator filter: hidden readers' marks are not counted.
    const shown = (author: string | undefined): boolean => s.annotators.isVisible(author);
    s.palette.setCounts(local() ? doc.countByCategory((m) => shown(m.author)) : tally.byCategory(shown));
    s.annotators.update(local() ? doc.countByAuthor() : tally.byAuthor());
    overlay.setFilter(s.annotators.filtering ? (slot) => s.annotators.isVisible(doc.points.authorOf(slot) || undefined) : undefined);
    overlay.invalidate();
  };
  doc.onChange(refresh);
  s.palette.onChange(refresh);
  s.annotators.onChange(() => {
    refresh();
    // Counts per cell are asked per author: hiding one needs new ones.
    if (loader.state?.kind === 'grid') void loader.refresh();
  });
  densityLayer(overlay, loader, s.palette);
  s.opacity.addEventListener('input', () => overlay.setOpacity(Number(s.opacity.value) / 100));
  const refusals = refusalHandling(s, doc, queue, tally, () => overlay.invalidate());
  overlay.addPainter((c, m) => paintRefusals(c, queue.refusals(), m));
  const recount = recounter({ api: s.ctx.api, slideId: s.slideId, signal: s.signal, queue, tally, loader, refresh });
  queue.on({
    saved: (ref, saved) => {
      loader.saved(ref);
      dedupe(doc, ref, saved?.id);
      // The server may have cut the shape to the slide's edge: show what it keeps, unless a newer edit waits.
      if (saved !== null && saved !== undefined && !queue.pending(ref)) adopt(doc, ref, saved.feature);
      // An edit sets a reviewed mark back to pending on the server: show that.
      const mark = doc.get(ref);
      const review = saved?.feature.properties.review;
      if (mark?.review !== undefined && typeof review === 'string' && review !== mark.review) doc.show({ ...mark, review });
    },
    rejected: (refs, message) => {
      for (const ref of refs) refusals.revert(ref);
      s.report(new Error(`Not saved, refused by the server: ${message}. It is drawn dashed in red; fix or discard it from the save status.`));
    },
    status: recount.onStatus,
  });
  loader.on({ loaded: () => refresh(), failed: (err) => s.report(err) });
  // A conflict says in words who changed the mark and when ("Dr B moved this mark 2 min ago").
  const explain = async (c: ConflictView): Promise<string> => {
    const id = queue.serverId(c.ref) ?? Number(c.ref);
    const last = Number.isFinite(id) ? await lastChange(s.ctx.api, id) : null;
    if (last === null) throw new Error(`no history of mark ${c.ref}`);
    return conflictSentence(last, (u) => (u === s.me ? 'You (in another tab)' : s.annotators.nameOf(u)), Date.now());
  };
  s.slots.save.replaceChildren(new SaveIndicator(queue, (id) => s.palette.byId(id), (ref, f) => showFeature(doc, ref, f), refusals.dialog, explain).element);
  overlay.addPainter((c, m) => paintConflicts(c, queue.conflicts(), m));
  // Conflicts and refusals are drawn from the queue: draw again when they come or go.
  queue.on({ status: () => overlay.invalidate() });
  const edit = editContext(s, doc, visible, () => overlay.invalidate(), (m) => loader.exact(m));
  const toolList = makeTools(s, edit);
  const tools = new ToolController(s.viewer, toolList);
  overlay.addPainter((c, m) => tools.active.paint?.(c, m));
  const info = new MarkInfo({
    api: s.ctx.api,
    doc,
    serverId: (ref) => queue.serverId(ref),
    versionOf: (ref) => queue.versionOf(ref),
    category: (id) => s.palette.byId(id),
    name: (id) => s.annotators.nameOf(id),
    report: s.report,
  });
  const select = toolList.find((t): t is SelectTool => t instanceof SelectTool);
  if (select !== undefined) select.onSelect = (m) => info.show(m?.ref ?? null);
  doc.onChange(() => info.refresh());
  const reviewMode = new ReviewMode({
    api: s.ctx.api, slideId: s.slideId, doc, queue, viewer: s.viewer, visible, invalidate: () => overlay.invalidate(), report: s.report,
    current: (ref) => info.show(ref),
  });
  doc.onChange(() => reviewMode.refresh());
  overlay.addPainter((c, m) => reviewMode.paint(c, m));
  s.slots.review.replaceChildren(reviewMode.element, info.element);
  const suggestions = suggestionsFor(s, overlay, (mark, edit) => {
    showFeature(doc, String(mark.id), mark as unknown as Feature);
    if (edit) tools.select('select');
  });
  s.slots.review.append(suggestions.element);
  s.slots.overlays.replaceChildren(overlayPanel(s.ctx.api, s.slideId, s.viewer, s.signal));
  s.slots.status.replaceChildren(statusButton(s.ctx.api, s.slideId, s.me, s.report, s.signal));
  const help = helpDialog(tools.tools);
  s.slots.tools.replaceChildren(...toolButtons(tools), help);
  replaceChildren(
    s.slots.toolbar,
    toolbarGroup('History', [['Undo (Ctrl+Z)', 'Undo', () => doc.undo()], ['Redo (Ctrl+Shift+Z)', 'Redo', () => doc.redo()]]),
    magnificationButtons(s.viewer, s.optics.objective),
    viewControls(s.viewer),
    toolbarGroup('Help', [['Keyboard shortcuts (?)', '?', () => help.showModal()]]),
  );
  const scale = scaleWidget(s.viewer, s.optics);
  s.viewer.addControl(scale.element);
  recount.now();
  await loadMarks(s, doc, queue, loader);
  const unwatch = s.viewer.onRender(() => loader.viewChanged());
  const live = liveUpdates(s, doc, queue, loader, overlay.canvas, () => recount.soon());
  const onKey = (ev: KeyboardEvent): void => {
    if (s.keysActive()) shortcut(ev, tools, s.palette, doc, help, reviewMode, suggestions);
  };
  const onOnline = (): void => {
    queue.retryNow();
    void loader.refresh();
  };
  // A stream refused with the ended session is closed for good: open it again once signed in.
  const onSignedIn = (): void => {
    onOnline();
    live.restart();
  };
  document.addEventListener('keydown', onKey);
  window.addEventListener('online', onOnline);
  window.addEventListener(signedInAgain, onSignedIn);
  overlay.onStats((f) => (s.slots.stats.textContent = statsText(loader, tally, doc, local(), f.drawn)));
  refresh();
  // What an earlier page left in the outbox goes now, not at the next edit.
  if (queue.status().pending > 0) void queue.flush();
  return {
    dispose: () => {
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('online', onOnline);
      window.removeEventListener(signedInAgain, onSignedIn);
      live.close();
      unwatch();
      recount.stop();
      loader.close();
      info.dispose();
      suggestions.dispose();
      queue.close();
      scale.dispose();
      tools.destroy();
      overlay.destroy();
      doc.release();
    },
  };
}

interface RefusalHandling {
  readonly dialog: RefusalDialog;
  /** revert shows the server's version of a mark whose change was refused, so views and counts hold only what is saved. */
  revert(ref: string): void;
}

/**
 * refusalHandling keeps refused changes out of the marks and the counts: a
 * refused new mark leaves the document, a refused edit or deletion gives
 * way to the server's version. The refused version stays in the outbox,
 * drawn apart, until the user sends it again or discards it.
 */
function refusalHandling(s: Setup, doc: MarkDocument, queue: SaveQueue, tally: Tally, invalidate: () => void): RefusalHandling {
  const revert = (ref: string): void => {
    const r = queue.refusals().find((x) => x.ref === ref);
    const cur = doc.get(ref) ?? null;
    if (r === undefined) return;
    if (r.serverId === null) {
      if (cur !== null) tally.edit([{ ref, before: cur, after: null }]);
      doc.forget(ref);
      return;
    }
    getAnnotation(s.ctx.api, r.serverId, defaultMarkerRadius, s.signal).then(
      (server) => {
        tally.edit([{ ref, before: doc.get(ref) ?? null, after: server.mark }]);
        queue.track(ref, server.id, server.version);
        doc.show({ ...server.mark, ref });
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) {
          const gone = doc.get(ref);
          if (gone !== undefined) tally.edit([{ ref, before: gone, after: null }]);
          doc.forget(ref);
        } else s.report(err);
      },
    );
  };
  const dialog = new RefusalDialog(queue, (id) => s.palette.byId(id), {
    show: (r) => {
      if (r.feature === null) return;
      const c = featureCentre(r.feature);
      s.viewer.panToImage(c.x, c.y);
    },
    retry: (r) => {
      // Shown again as the user made it while it goes; a second refusal reverts it again.
      if (r.feature !== null) {
        const m = fromFeature({ ...r.feature, id: 0 }, defaultMarkerRadius);
        if (m !== null) {
          tally.edit([{ ref: r.ref, before: doc.get(r.ref) ?? null, after: { ...m.mark, ref: r.ref } }]);
          doc.show({ ...m.mark, ref: r.ref });
        }
      } else if (doc.get(r.ref) !== undefined) {
        tally.edit([{ ref: r.ref, before: doc.get(r.ref) ?? null, after: null }]);
        doc.forget(r.ref);
      }
      queue.retry(r.ref);
      invalidate();
    },
    discard: (r) => {
      queue.discard(r.ref);
      invalidate();
    },
  });
  return { dialog, revert };
}

interface Live {
  restart(): void;
  close(): void;
}

/**
 * liveUpdates shows other readers' changes as they are saved: the service
 * streams which marks changed, and each is fetched (through the
 * access-checked endpoint, so blinding holds) and shown. Changes apply one
 * after another, in the order they came. After a dropped stream comes back,
 * the view is reloaded, since changes may have been missed meanwhile.
 */
function liveUpdates(s: Setup, doc: MarkDocument, queue: SaveQueue, loader: ViewportLoader, canvas: HTMLElement, changed: () => void): Live {
  const target: LiveTarget = {
    refOf: (id) => queue.refOf(id),
    pending: (ref) => queue.pending(ref),
    versionOf: (ref) => queue.versionOf(ref),
    fetch: (id) =>
      getAnnotation(s.ctx.api, id, defaultMarkerRadius, s.signal).then(
        (m) => ({
          version: m.version,
          show: (ref: string) => {
            // An undo or redo step of this mark was taken before this change: it keeps the version
            // it was based on, so it meets the change as a conflict instead of silently undoing it.
            if (!doc.historyRefs().has(ref)) queue.track(ref, m.id, m.version);
            loader.saved(ref);
            doc.show({ ...m.mark, ref });
          },
        }),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return undefined;
          throw err;
        },
      ),
    forget: (ref) => {
      if (doc.get(ref) !== undefined) doc.forget(ref);
      queue.untrack(ref);
    },
    reload: () => void loader.refresh(),
    changed,
  };
  let chain = Promise.resolve();
  let opened = 0;
  let close = (): void => undefined;
  const open = (): void => {
    close();
    close = openLive(
      s.slideId,
      (c) => {
        chain = chain.then(() => applyChange(c, target)).catch((err: unknown) => s.report(err));
      },
      () => {
        if (opened++ > 0) void loader.refresh();
        // Tests and people reporting a problem can tell the live stream is up.
        canvas.dataset['live'] = 'open';
      },
    );
  };
  open();
  return { restart: open, close: () => close() };
}

function markOverlay(s: Setup, doc: MarkDocument, visible: (m: Mark) => boolean): MarkOverlay {
  const layer = doc.points;
  const styles = (i: number): CategoryStyle => {
    const cat = s.palette.byId(layer.categories[i] ?? '');
    return cat === undefined ? hiddenStyle : { color: cat.color, visible: s.palette.isVisible(cat) };
  };
  const overlay = new MarkOverlay(s.viewer, layer, styles);
  overlay.addPainter((c, m, w, hgt) =>
    paintShapes(c, doc.shapes(), m, w, hgt, (mark) => ({ color: s.palette.byId(mark.category)?.color ?? '#000', visible: visible(mark) })),
  );
  return overlay;
}

function editContext(s: Setup, doc: MarkDocument, visible: (m: Mark) => boolean, invalidate: () => void, exact: (m: Mark) => Promise<Mark | undefined>): EditContext {
  return {
    exact,
    doc,
    category: () => s.palette.activeId(),
    newId,
    color: (c) => s.palette.byId(c)?.color ?? '#000',
    visible,
    invalidate,
    notify: (msg) => s.report(new Error(msg)),
  };
}

function makeTools(s: Setup, edit: EditContext): Tool[] {
  const select = new SelectTool(edit);
  select.categoryAt = (i) => s.palette.idAt(i);
  const point = new PointTool({
    category: () => s.palette.activeId(),
    inside: (x, y) => x >= 0 && y >= 0 && x <= s.size.width && y <= s.size.height,
    radius: () => Number(s.markerSize.value),
    newId,
    place: (mark) => edit.doc.commit([{ ref: mark.ref, after: mark }]),
  });
  return [
    panTool,
    point,
    new PolygonTool(edit),
    new PolygonTool(edit, 'polyline'),
    new DragShapeTool('rectangle', edit),
    new DragShapeTool('ellipse', edit),
    new DragShapeTool('freehand', edit),
    new BrushTool(edit, () => Number(s.brushWidth.value)),
    select,
    new EraserTool(edit),
  ];
}

/** loadMarks shows the server's marks around the view, then lays over them what the outbox has not sent yet. */
async function loadMarks(s: Setup, doc: MarkDocument, queue: SaveQueue, loader: ViewportLoader): Promise<void> {
  const loaded = s.slots.messages.status('Loading marks…');
  try {
    await loader.sync();
  } finally {
    loaded();
  }
  for (const c of queue.changes()) showFeature(doc, c.ref, c.feature);
}

/**
 * shortcut routes keys: the active tool first (Enter, Escape, Delete), then
 * Ctrl+Z / Ctrl+Shift+Z, 1–9 for categories, letters for tools, ? for help.
 * Nothing while the user types in a field or a dialog is open.
 */
function shortcut(ev: KeyboardEvent, tools: ToolController, palette: Palette, doc: MarkDocument, help: HTMLDialogElement, review: ReviewMode, suggestions: SuggestionMode): void {
  // Focus left on a legend entry, a box or a slider must not turn the shortcuts off (keys.ts).
  if (!shortcutAllowed(ev.target instanceof HTMLElement ? ev.target : null, ev.key)) return;
  if (review.onKey(ev)) return ev.preventDefault();
  if (suggestions.onKey(ev)) return ev.preventDefault();
  if (tools.active.onKey?.(ev) === true) return ev.preventDefault();
  if ((ev.ctrlKey || ev.metaKey) && !ev.altKey) return history(ev, doc);
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === '?') {
    help.showModal();
    return ev.preventDefault();
  }
  if (/^[1-9]$/.test(ev.key)) {
    if (palette.selectIndex(Number(ev.key) - 1)) ev.preventDefault();
    return;
  }
  if (tools.selectByKey(ev.key)) ev.preventDefault();
}

function history(ev: KeyboardEvent, doc: MarkDocument): void {
  const key = ev.key.toLowerCase();
  if (key === 'z' && !ev.shiftKey) doc.undo();
  else if ((key === 'z' && ev.shiftKey) || key === 'y') doc.redo();
  else return;
  ev.preventDefault();
}

/** outboxStore is IndexedDB where the browser allows it, memory otherwise (some private modes). */
function outboxStore(): OutboxStore {
  return typeof indexedDB === 'undefined' ? new MemoryOutboxStore() : new IndexedDBOutboxStore(indexedDB);
}

/** adopt shows the server's saved version of ref when its content differs from what is shown (a shape cut at the slide's edge). */
function adopt(doc: MarkDocument, ref: string, saved: Feature): void {
  const shown = doc.get(ref);
  if (shown === undefined || sameContent(toFeature(shown), saved)) return;
  const m = fromFeature({ ...saved, id: 0 }, defaultMarkerRadius);
  if (m === null) return;
  const author = shown.author ?? m.mark.author;
  doc.show({ ...shown, ...m.mark, ref, ...(author === undefined ? {} : { author }) });
}

/** showFeature displays a feature under ref, or removes ref for null. */
function showFeature(doc: MarkDocument, ref: string, f: Feature | null): void {
  if (f === null) return doc.forget(ref);
  const m = fromFeature({ ...f, id: 0 }, defaultMarkerRadius);
  if (m !== null) doc.show({ ...m.mark, ref });
}

/**
 * dedupe drops the server's copy of a mark that is also shown under its
 * client ref: after a reload, a create that had landed before the page went
 * away is listed by the server and replayed from the outbox at once.
 */
function dedupe(doc: MarkDocument, ref: string, id: number | undefined): void {
  if (id === undefined || String(id) === ref || doc.get(String(id)) === undefined) return;
  doc.forget(String(id));
}
