import { listAnnotations } from '../api/annotations';
import { listCategories } from '../api/projects';
import { dziUrl, getSlide } from '../api/slides';
import type { Category } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { newId } from '../ids';
import { MarkDocument } from '../marks/document';
import { fromFeature, toFeature, type Feature } from '../marks/mark';
import { MarkOverlay } from '../overlay/overlay';
import { IndexedDBOutboxStore } from '../sync/idb';
import { MemoryOutboxStore, type OutboxStore } from '../sync/outbox';
import { SaveQueue } from '../sync/queue';
import { ApiTransport } from '../sync/transport';
import type { CategoryStyle } from '../overlay/render';
import { PointTool } from '../tools/point';
import { panTool, ToolController } from '../tools/tool';
import { SlideViewer, type ImageSize } from '../viewer/viewer';
import { alertBox, errorText, isAbort, statusBox } from './common';
import { Palette } from './palette';
import { SaveIndicator } from './savestatus';

const hiddenStyle: CategoryStyle = { color: '#000', visible: false };
const defaultMarkerRadius = 8;
// The annotation service's default cap on one query.
const maxMarks = 50_000;

export function viewerPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const slideId = req.params['slideId'] ?? '';
  const abort = new AbortController();
  const title = h('h1', { class: 'viewer-title', tabindex: -1 }, 'Slide');
  const messages = h('div', { class: 'viewer-messages', 'aria-live': 'polite' });
  const stage = h('div', { class: 'viewer-stage', role: 'region', 'aria-label': 'Slide view' });
  const palette = new Palette();
  const radius = h('input', {
    id: 'marker-size',
    type: 'range',
    min: 1,
    max: 100,
    value: defaultMarkerRadius,
  });
  const radiusOut = h('output', { for: 'marker-size' }, `${defaultMarkerRadius} px`);
  radius.addEventListener('input', () => (radiusOut.textContent = `${radius.value} px`));
  const stats = h('p', { class: 'viewer-stats', 'aria-live': 'off' });
  const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Viewer tools' });

  const viewer = new SlideViewer(stage, dziUrl(slideId), 'Overview of the whole slide');
  let state: Loaded | null = null;
  let disposed = false;
  const saveSlot = h('div', { class: 'save-slot' });

  const side = h(
    'aside',
    { class: 'viewer-side', 'aria-label': 'Annotation settings' },
    palette.element,
    h('div', { class: 'field' }, h('label', { for: 'marker-size' }, 'Marker size'), radiusOut, radius),
    stats,
  );
  const element = h(
    'section',
    { class: 'viewer-page' },
    h(
      'header',
      { class: 'viewer-head' },
      h(
        'nav',
        { 'aria-label': 'Breadcrumb', class: 'breadcrumb' },
        h('a', { href: '/' }, 'Projects'),
        ' / ',
        h('a', { href: `/projects/${encodeURIComponent(projectId)}` }, 'Slides'),
      ),
      title,
      saveSlot,
      toolbar,
    ),
    messages,
    h('div', { class: 'viewer-body' }, stage, side),
  );

  getSlide(ctx.api, slideId, abort.signal).then(
    (s) => (title.textContent = s.name),
    (err: unknown) => report(err),
  );
  const categories = listCategories(ctx.api, projectId, abort.signal).catch((err: unknown) => {
    report(err);
    return [] as Category[];
  });
  Promise.all([viewer.whenOpen(), categories])
    .then(async ([size, cats]) => {
      const loaded = await setUp(size, cats);
      if (disposed) loaded.dispose();
      else state = loaded;
    })
    .catch((err: unknown) => report(err));

  function report(err: unknown): void {
    if (!isAbort(err)) messages.appendChild(alertBox(errorText(err)));
  }

  async function setUp(size: ImageSize, cats: readonly Category[]): Promise<Loaded> {
    palette.setCategories(cats);
    const queue = await SaveQueue.open({
      scope: { user: String(ctx.session.user?.id ?? ''), slide: slideId },
      store: outboxStore(),
      transport: new ApiTransport(ctx.api),
      newKey: newId,
    });
    const doc = new MarkDocument(size.width, size.height, {
      put: (m) => queue.put(m.ref, toFeature(m)),
      remove: (ref) => queue.remove(ref),
    });
    const layer = doc.points;
    const styles = (i: number): CategoryStyle => {
      const cat = palette.byId(layer.categories[i] ?? '');
      return cat === undefined ? hiddenStyle : { color: cat.color, visible: palette.isVisible(cat) };
    };
    const overlay = new MarkOverlay(viewer, layer, styles);
    const refresh = (): void => {
      palette.setCounts(doc.countByCategory());
      overlay.invalidate();
    };
    doc.onChange(refresh);
    palette.onChange(refresh);
    queue.on({
      saved: (ref, saved) => dedupe(doc, ref, saved?.id),
      rejected: (refs, message) => report(new Error(`${refs.length} mark(s) could not be saved: ${message}`)),
    });
    const indicator = new SaveIndicator(queue, (id) => palette.byId(id), (ref, f) => showFeature(doc, ref, f));
    saveSlot.replaceChildren(indicator.element);
    const point = new PointTool({
      category: () => palette.activeId(),
      radius: () => Number(radius.value),
      newId,
      place: (mark) => doc.commit([{ ref: mark.ref, after: mark }]),
    });
    const tools = new ToolController(viewer, [panTool, point]);
    buildToolbar(toolbar, viewer, tools, doc);
    await loadMarks(doc, queue, size);
    const onKey = (ev: KeyboardEvent): void => shortcut(ev, tools, palette, doc);
    const onOnline = (): void => queue.retryNow();
    document.addEventListener('keydown', onKey);
    window.addEventListener('online', onOnline);
    overlay.onStats((s) => (stats.textContent = `${doc.size} marks, ${s.drawn} on screen`));
    refresh();
    // What an earlier page left in the outbox goes now, not at the next edit.
    if (queue.status().pending > 0) void queue.flush();
    return {
      dispose: () => {
        document.removeEventListener('keydown', onKey);
        window.removeEventListener('online', onOnline);
        queue.close();
        tools.destroy();
        overlay.destroy();
      },
    };
  }

  /** loadMarks shows the server's marks, then lays over them what the outbox has not sent yet. */
  async function loadMarks(doc: MarkDocument, queue: SaveQueue, size: ImageSize): Promise<void> {
    const loading = statusBox('Loading marks…');
    messages.appendChild(loading);
    const bbox = { x0: 0, y0: 0, x1: size.width, y1: size.height };
    try {
      const page = await listAnnotations(ctx.api, slideId, bbox, { limit: maxMarks, defaultRadius: defaultMarkerRadius, signal: abort.signal });
      for (const m of page.marks) queue.track(m.mark.ref, m.id, m.version);
      doc.showAll(page.marks.map((m) => m.mark));
      if (page.truncated) report(new Error(`This slide has more than ${maxMarks} marks; only the first ${maxMarks} are shown.`));
    } catch (err) {
      report(err);
    } finally {
      loading.remove();
    }
    for (const c of queue.changes()) showFeature(doc, c.ref, c.feature);
  }

  return {
    title: 'Viewer',
    element,
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

function buildToolbar(toolbar: HTMLElement, viewer: SlideViewer, tools: ToolController, doc: MarkDocument): void {
  const toolButtons = tools.tools.map((t) =>
    h(
      'button',
      {
        type: 'button',
        class: 'tool',
        'aria-pressed': String(t === tools.active),
        'aria-keyshortcuts': t.key.toUpperCase(),
        title: `${t.label} (${t.key.toUpperCase()})`,
        onclick: () => tools.select(t.id),
      },
      t.label,
    ),
  );
  tools.onChange((active) =>
    toolButtons.forEach((b, i) => b.setAttribute('aria-pressed', String(tools.tools[i] === active))),
  );
  const action = (label: string, text: string, fn: () => void): HTMLButtonElement =>
    h('button', { type: 'button', 'aria-label': label, title: label, onclick: fn }, text);
  replaceChildren(
    toolbar,
    h('div', { class: 'group', role: 'group', 'aria-label': 'Tools' }, ...toolButtons),
    h(
      'div',
      { class: 'group', role: 'group', 'aria-label': 'History' },
      action('Undo (Ctrl+Z)', 'Undo', () => doc.undo()),
      action('Redo (Ctrl+Shift+Z)', 'Redo', () => doc.redo()),
    ),
    h(
      'div',
      { class: 'group', role: 'group', 'aria-label': 'View' },
      action('Zoom in', '+', () => viewer.zoomBy(1.5)),
      action('Zoom out', '−', () => viewer.zoomBy(1 / 1.5)),
      action('Fit slide to screen', 'Fit', () => viewer.home()),
      action('Rotate 90 degrees', 'Rotate', () => viewer.rotateBy(90)),
      action('Full screen', 'Full screen', () => viewer.toggleFullScreen()),
    ),
  );
}

/** shortcut maps 1–9 to categories, letters to tools and Ctrl+Z to undo, except while typing in a field. */
function shortcut(ev: KeyboardEvent, tools: ToolController, palette: Palette, doc: MarkDocument): void {
  const target = ev.target as HTMLElement | null;
  if (target !== null && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  if ((ev.ctrlKey || ev.metaKey) && !ev.altKey) return history(ev, doc);
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
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
