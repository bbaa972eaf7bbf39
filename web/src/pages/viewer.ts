import { listMembers } from '../api/members';
import { listCategories } from '../api/projects';
import { dziUrl, getSlide } from '../api/slides';
import type { Category, Slide } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h } from '../dom';
import { displayName } from '../session';
import { SlideViewer } from '../viewer/viewer';
import { AnnotatorFilter } from './annotators';
import { errorText, isAbort } from './common';
import { Notices } from './notices';
import { Palette } from './palette';
import { rangeField, sizeText, type RangeField } from './viewercontrols';
import { setUp } from './marking';
import { defaultMarkerRadius, type Loaded, type Slots } from './setup';

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
  const slots = newSlots(o, slideId);
  const stage = h('div', { class: o.stageClass, role: 'region', 'aria-label': o.stageLabel });
  const { palette, annotators, markerSize, brushWidth, opacity } = newSettings(ctx, me, o.prefix);
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
        ctx, projectId, slideId, me, viewer, size, optics, palette, annotators, markerSize: markerSize.input, brushWidth: brushWidth.input, opacity: opacity.input, slots, report,
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

function newSlots(o: WorkspaceOptions, slideId: string): Slots {
  return {
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
}

/** Settings are the side column's controls, there before the slide opens. */
interface Settings {
  readonly palette: Palette;
  readonly annotators: AnnotatorFilter;
  readonly markerSize: RangeField;
  readonly brushWidth: RangeField;
  readonly opacity: RangeField;
}

function newSettings(ctx: AppContext, me: string, prefix: string): Settings {
  const user = ctx.session.user;
  return {
    palette: new Palette(prefix),
    annotators: new AnnotatorFilter(me, user === null ? 'You' : displayName(user), prefix),
    markerSize: rangeField(`${prefix}marker-size`, 'Marker size', 1, 100, defaultMarkerRadius, (v) => `${v} px`),
    brushWidth: rangeField(`${prefix}brush-width`, 'Brush width', 4, 200, 30, (v) => `${v} px`),
    opacity: rangeField(`${prefix}mark-opacity`, 'Mark opacity', 10, 100, 100, (v) => `${v} %`),
  };
}
