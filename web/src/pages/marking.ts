// A workspace's editing machinery, built once its slide is open: setUp runs
// the steps in order (openMarks, showSaving, editing, then loading the marks
// and listen), each a function of its own so the wiring reads in the order
// the workspace comes to life.

import { h, replaceChildren } from '../dom';
import { newId } from '../ids';
import { MarkDocument } from '../marks/document';
import { ViewportLoader } from '../marks/loader';
import { toFeature, type Feature, type Mark } from '../marks/mark';
import { geometryBounds } from '../marks/shapes';
import { Tally } from '../marks/tally';
import { MarkOverlay } from '../overlay/overlay';
import type { CategoryStyle } from '../overlay/render';
import { paintShapes } from '../overlay/shapes';
import { SaveQueue, type ConflictView } from '../sync/queue';
import { ApiTransport } from '../sync/transport';
import { SelectTool } from '../tools/select';
import { ToolController } from '../tools/tool';
import { magnificationButtons, scaleWidget } from '../viewer/scalewidget';
import { helpDialog } from './help';
import { MarkInfo } from './markinfo';
import { apiSource, densityLayer, recounter, statsText, viewOf, type Recounter } from './viewport';
import { overlayPanel } from './overlays';
import { conflictSentence, lastChange, paintConflicts } from './conflictwords';
import { signedInAgain } from './reauth';
import { paintRefusals } from './refusals';
import { ReviewMode } from './review';
import { suggestionsFor, type SuggestionMode } from '../suggestions/mode';
import { SaveIndicator } from './savestatus';
import { statusButton } from './statusbutton';
import { toolbarGroup, toolButtons, viewControls } from './viewercontrols';
import { defaultMarkerRadius, type Loaded, type Setup } from './setup';
import { adopt, dedupe, liveUpdates, loadMarks, outboxStore, refusalHandling, showFeature } from './saving';
import { editContext, makeTools, shortcut } from './toolset';

const hiddenStyle: CategoryStyle = { color: '#000', visible: false };

/**
 * setUp builds the editing machinery once the slide is open, in the steps
 * below: the marks (outbox, document, counts, overlay, loader), what the
 * save state shows, the tools and panels, then the marks are loaded and the
 * page listens to the server, the keyboard and the network.
 */
export async function setUp(s: Setup): Promise<Loaded> {
  const m = await openMarks(s);
  const recount = showSaving(s, m);
  const e = editing(s, m);
  const scale = scaleWidget(s.viewer, s.optics);
  s.viewer.addControl(scale.element);
  recount.now();
  await loadMarks(s, m.doc, m.queue, m.loader);
  const stopListening = listen(s, m, e, () => recount.soon());
  m.overlay.onStats((f) => (s.slots.stats.textContent = statsText(m.loader, m.tally, m.doc, m.local(), f.drawn)));
  m.refresh();
  // What an earlier page left in the outbox goes now, not at the next edit.
  if (m.queue.status().pending > 0) void m.queue.flush();
  return {
    dispose: () => {
      stopListening();
      recount.stop();
      m.loader.close();
      e.info.dispose();
      e.suggestions.dispose();
      m.queue.close();
      scale.dispose();
      e.tools.destroy();
      m.overlay.destroy();
      m.doc.release();
    },
  };
}

/** Marks is a workspace's marks: the outbox, the document shown, the counts, the overlay and the loader. */
interface Marks {
  readonly queue: SaveQueue;
  readonly doc: MarkDocument;
  readonly tally: Tally;
  readonly overlay: MarkOverlay;
  readonly loader: ViewportLoader;
  /** visible tells whether a mark is drawn: its category and its author are shown. */
  visible(m: Mark): boolean;
  /** local: the counts come from the marks held, which are all of the slide's. */
  local(): boolean;
  /** refresh recounts the legends and draws again. */
  refresh(): void;
}

/** openMarks opens the outbox and builds the document, its counts, the overlay and the loader around them. */
async function openMarks(s: Setup): Promise<Marks> {
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
  return { queue, doc, tally, overlay, loader, visible, local, refresh };
}

/**
 * showSaving follows the outbox: saved marks take the server's version,
 * refused ones are drawn apart, conflicts are drawn and said in words, the
 * save indicator shows where the edits are. It answers the recounter that
 * keeps the slide's counts in step with what is saved.
 */
function showSaving(s: Setup, m: Marks): Recounter {
  const { queue, doc, tally, overlay, loader } = m;
  const refusals = refusalHandling(s, doc, queue, tally, () => overlay.invalidate());
  overlay.addPainter((c, t) => paintRefusals(c, queue.refusals(), t));
  const recount = recounter({ api: s.ctx.api, slideId: s.slideId, signal: s.signal, queue, tally, loader, refresh: m.refresh });
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
  loader.on({ loaded: () => m.refresh(), failed: (err) => s.report(err) });
  // A conflict says in words who changed the mark and when ("Dr B moved this mark 2 min ago").
  const explain = async (c: ConflictView): Promise<string> => {
    const id = queue.serverId(c.ref) ?? Number(c.ref);
    const last = Number.isFinite(id) ? await lastChange(s.ctx.api, id) : null;
    if (last === null) throw new Error(`no history of mark ${c.ref}`);
    return conflictSentence(last, (u) => (u === s.me ? 'You (in another tab)' : s.annotators.nameOf(u)), Date.now());
  };
  s.slots.save.replaceChildren(new SaveIndicator(queue, (id) => s.palette.byId(id), (ref, f) => showFeature(doc, ref, f), refusals.dialog, explain).element);
  overlay.addPainter((c, t) => paintConflicts(c, queue.conflicts(), t));
  // Conflicts and refusals are drawn from the queue: draw again when they come or go.
  queue.on({ status: () => overlay.invalidate() });
  return recount;
}

interface Editing {
  readonly tools: ToolController;
  readonly info: MarkInfo;
  readonly help: HTMLDialogElement;
  readonly review: ReviewMode;
  readonly suggestions: SuggestionMode;
}

/** editing builds the tools, the selected mark's panel, review mode, the side panels and the toolbar. */
function editing(s: Setup, m: Marks): Editing {
  const { queue, doc, overlay, loader } = m;
  const edit = editContext(s, doc, m.visible, () => overlay.invalidate(), (mark) => loader.exact(mark));
  const toolList = makeTools(s, edit);
  const tools = new ToolController(s.viewer, toolList);
  overlay.addPainter((c, t) => tools.active.paint?.(c, t));
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
  if (select !== undefined) select.onSelect = (mark) => info.show(mark?.ref ?? null);
  doc.onChange(() => info.refresh());
  const review = new ReviewMode({
    api: s.ctx.api, slideId: s.slideId, doc, queue, viewer: s.viewer, visible: m.visible, invalidate: () => overlay.invalidate(), report: s.report,
    current: (ref) => info.show(ref),
  });
  doc.onChange(() => review.refresh());
  overlay.addPainter((c, t) => review.paint(c, t));
  s.slots.review.replaceChildren(review.element, info.element);
  // A model's suggestions: accepting one shows the new mark; while E edits a shape the drawing tools rest.
  const suggestions = suggestionsFor(s, {
    accepted: (mark) => showFeature(doc, String(mark.id), mark as unknown as Feature),
    editing: (on) => {
      if (on) tools.select('pan');
    },
  });
  s.slots.review.append(suggestions.element);
  suggestions.element.append(h('a', { href: `/projects/${encodeURIComponent(s.projectId)}/agreement`, class: 'suggestion-agreement' }, 'Model agreement'));
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
  return { tools, info, help, review, suggestions };
}

/**
 * listen follows what happens outside the workspace once the marks are
 * loaded: the view moving, other readers' changes, the keyboard, the network
 * coming back and the user signing in again. It answers how to stop.
 */
function listen(s: Setup, m: Marks, e: Editing, changed: () => void): () => void {
  const { queue, doc, loader } = m;
  const unwatch = s.viewer.onRender(() => loader.viewChanged());
  const live = liveUpdates(s, doc, queue, loader, m.overlay.canvas, changed);
  const onKey = (ev: KeyboardEvent): void => {
    if (s.keysActive()) shortcut(ev, e.tools, s.palette, doc, e.help, e.review, e.suggestions);
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
  return () => {
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('online', onOnline);
    window.removeEventListener(signedInAgain, onSignedIn);
    live.close();
    unwatch();
  };
}

function markOverlay(s: Setup, doc: MarkDocument, visible: (m: Mark) => boolean): MarkOverlay {
  const layer = doc.points;
  const styles = (i: number): CategoryStyle => {
    const cat = s.palette.byId(layer.categories[i] ?? '');
    return cat === undefined ? hiddenStyle : { color: cat.color, visible: s.palette.isVisible(cat) };
  };
  const overlay = new MarkOverlay(s.viewer, layer, styles);
  overlay.addPainter((c, m, w, hgt) =>
    paintShapes(c, doc.shapes(), m, w, hgt, (mark) => ({ color: s.palette.byId(mark.category)?.color ?? '#000', visible: visible(mark) }), geometryBounds),
  );
  return overlay;
}
