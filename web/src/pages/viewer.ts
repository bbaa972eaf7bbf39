import { listAnnotations, pointMarks } from '../api/annotations';
import { listCategories } from '../api/projects';
import { dziUrl, getSlide } from '../api/slides';
import type { Category } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { newId } from '../ids';
import { MarkOverlay } from '../overlay/overlay';
import { PointLayer } from '../overlay/points';
import type { CategoryStyle } from '../overlay/render';
import { PointTool } from '../tools/point';
import { panTool, ToolController } from '../tools/tool';
import { SlideViewer, type ImageSize } from '../viewer/viewer';
import { alertBox, errorText, isAbort, statusBox } from './common';
import { Palette } from './palette';

const hiddenStyle: CategoryStyle = { color: '#000', visible: false };
const defaultMarkerRadius = 8;

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
  Promise.all([viewer.whenOpen(), categories]).then(
    ([size, cats]) => {
      state = setUp(size, cats);
    },
    (err: unknown) => report(err),
  );

  function report(err: unknown): void {
    if (!isAbort(err)) messages.appendChild(alertBox(errorText(err)));
  }

  function setUp(size: ImageSize, cats: readonly Category[]): Loaded {
    const layer = new PointLayer(size.width, size.height);
    palette.setCategories(cats);
    const styles = (i: number): CategoryStyle => {
      const cat = palette.byId(layer.categories[i] ?? '');
      return cat === undefined ? hiddenStyle : { color: cat.color, visible: palette.isVisible(cat) };
    };
    const overlay = new MarkOverlay(viewer, layer, styles);
    const refresh = (): void => {
      palette.setCounts(layer.countByCategory());
      overlay.invalidate();
    };
    palette.onChange(refresh);
    const point = new PointTool({
      layer,
      category: () => palette.activeId(),
      radius: () => Number(radius.value),
      newId,
      added: refresh,
    });
    const tools = new ToolController(viewer, [panTool, point]);
    buildToolbar(toolbar, viewer, tools);
    loadMarks(layer, size, refresh);
    const onKey = (ev: KeyboardEvent): void => shortcut(ev, tools, palette);
    document.addEventListener('keydown', onKey);
    overlay.onStats((s) => (stats.textContent = `${layer.size} marks, ${s.drawn} on screen`));
    return {
      dispose: () => {
        document.removeEventListener('keydown', onKey);
        tools.destroy();
        overlay.destroy();
      },
    };
  }

  function loadMarks(layer: PointLayer, size: ImageSize, done: () => void): void {
    const loading = statusBox('Loading marks…');
    messages.appendChild(loading);
    const bbox = { x0: 0, y0: 0, x1: size.width, y1: size.height };
    listAnnotations(ctx.api, slideId, bbox, abort.signal)
      .then((fc) => {
        layer.addAll(pointMarks(fc, defaultMarkerRadius));
        done();
      })
      .catch((err: unknown) => report(err))
      .finally(() => loading.remove());
  }

  return {
    title: 'Viewer',
    element,
    dispose: () => {
      abort.abort();
      state?.dispose();
      viewer.destroy();
    },
  };
}

interface Loaded {
  dispose(): void;
}

function buildToolbar(toolbar: HTMLElement, viewer: SlideViewer, tools: ToolController): void {
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
      { class: 'group', role: 'group', 'aria-label': 'View' },
      action('Zoom in', '+', () => viewer.zoomBy(1.5)),
      action('Zoom out', '−', () => viewer.zoomBy(1 / 1.5)),
      action('Fit slide to screen', 'Fit', () => viewer.home()),
      action('Rotate 90 degrees', 'Rotate', () => viewer.rotateBy(90)),
      action('Full screen', 'Full screen', () => viewer.toggleFullScreen()),
    ),
  );
}

/** shortcut maps 1–9 to categories and letters to tools, except while typing in a field. */
function shortcut(ev: KeyboardEvent, tools: ToolController, palette: Palette): void {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const target = ev.target as HTMLElement | null;
  if (target !== null && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  if (/^[1-9]$/.test(ev.key)) {
    if (palette.selectIndex(Number(ev.key) - 1)) ev.preventDefault();
    return;
  }
  if (tools.selectByKey(ev.key)) ev.preventDefault();
}
