// The viewer page's level of detail: where the marks come from, what the
// view is, the density layer of a zoomed-out slide, and the slide's counts
// when only the marks around the view are held.

import { getAnnotation, gridCounts, listAnnotations } from '../api/annotations';
import type { ApiClient } from '../api/client';
import { slideProgress } from '../api/review';
import type { MarkDocument } from '../marks/document';
import type { MarkSource, View, ViewportLoader } from '../marks/loader';
import { markOf, marksOf } from '../marks/mark';
import type { Tally } from '../marks/tally';
import { paintDensity } from '../overlay/density';
import type { MarkOverlay } from '../overlay/overlay';
import type { CategoryStyle } from '../overlay/render';
import type { SaveQueue, SaveStatus } from '../sync/queue';
import { invert, visibleImageRect } from '../viewer/geometry';
import type { SlideViewer } from '../viewer/viewer';
import type { Palette } from './palette';

const hiddenStyle: CategoryStyle = { color: '#000', visible: false };

/** apiSource reads marks and counts of one slide from the annotation service. */
export function apiSource(api: ApiClient, slideId: string, defaultRadius: number): MarkSource {
  return {
    grid: (box, cell, author, signal) => gridCounts(api, slideId, box, { cell, signal, ...(author === undefined ? {} : { author }) }),
    marks: async (box, limit, tolerance, signal) => marksOf(await listAnnotations(api, slideId, box, { limit, tolerance, signal }), defaultRadius),
    one: async (id) => markOf(await getAnnotation(api, id), id, defaultRadius),
  };
}

/** viewOf is the image box on screen and the scale, once the slide is drawn. */
export function viewOf(viewer: SlideViewer, canvas: HTMLCanvasElement): View | null {
  const m = viewer.imageToScreen();
  const inv = m === null ? null : invert(m);
  const scale = viewer.scale();
  const w = canvas.clientWidth;
  const hgt = canvas.clientHeight;
  if (inv === null || scale === null || w <= 0 || hgt <= 0) return null;
  return { rect: visibleImageRect(inv, w, hgt), scale };
}

/**
 * densityLayer draws the loader's counts per cell under the marks, and
 * says on the overlay what the view shows, for people reporting a problem and for tests.
 */
export function densityLayer(overlay: MarkOverlay, loader: ViewportLoader, palette: Palette): void {
  const style = (cat: string): CategoryStyle => {
    const c = palette.byId(cat);
    return c === undefined ? hiddenStyle : { color: c.color, visible: palette.isVisible(c) };
  };
  overlay.addUnderlay((c, m, w, hgt) => {
    const state = loader.state;
    const data = overlay.canvas.dataset;
    data['lod'] = state === null ? 'none' : state.kind === 'grid' && state.dense ? 'grid-dense' : state.kind;
    data['loaded'] = String(state?.marks ?? 0);
    data['tolerance'] = String(state?.tolerance ?? 0);
    data['cell'] = String(state?.cell ?? 0);
    const map = loader.density;
    if (map === null) {
      data['cells'] = '0';
      return;
    }
    const frame = paintDensity(c, map, m, w, hgt, style, palette.order());
    data['cells'] = String(frame.cells);
    data['labels'] = String(frame.labels);
  });
  loader.on({ loaded: () => overlay.invalidate() });
}

export interface Recounter {
  now(): void;
  /** soon reads the counts once changes stop arriving for a moment (live changes come in bursts). */
  soon(): void;
  onStatus(st: SaveStatus): void;
  stop(): void;
}

export interface RecountDeps {
  readonly api: ApiClient;
  readonly slideId: string;
  readonly signal: AbortSignal;
  readonly queue: SaveQueue;
  readonly tally: Tally;
  readonly loader: ViewportLoader;
  refresh(): void;
}

/**
 * recounter reads the service's counts per author and category when the
 * outbox is empty (so no edit is counted twice), and then refreshes a
 * density view, whose counts include the marks just saved.
 */
export function recounter(d: RecountDeps): Recounter {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dirty = false;
  const now = (): void => {
    // Unsent marks (an earlier page's outbox replayed at open) are read once
    // saved: without dirty, a replay that ends "saved" with no edit before it
    // would never be counted, and the legend would fall back to the marks
    // around the view.
    if (d.queue.status().pending > 0) {
      dirty = true;
      return;
    }
    const snap = d.tally.begin();
    slideProgress(d.api, d.slideId, d.signal).then(
      (progress) => {
        d.tally.settle(progress, snap);
        d.refresh();
      },
      // The counts stay as they are; the next save tries again.
      () => {
        dirty = true;
      },
    );
    if (d.loader.state?.kind === 'grid') void d.loader.refresh();
  };
  const soon = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      now();
    }, 300);
  };
  return {
    now,
    soon,
    onStatus: (st) => {
      if (st.state !== 'saved' || st.pending > 0) {
        dirty = true;
        return;
      }
      if (!dirty) return;
      dirty = false;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        now();
      }, 300);
    },
    stop: () => {
      if (timer !== null) clearTimeout(timer);
    },
  };
}

/** statsText says how many marks the slide has and what the view shows of them. */
export function statsText(loader: ViewportLoader, tally: Tally, doc: MarkDocument, local: boolean, drawn: number): string {
  if (local) return `${doc.size} marks, ${drawn} points on screen`;
  const state = loader.state;
  if (state?.kind === 'grid') return `${tally.total()} marks, shown as counts per area: zoom in to see them`;
  return `${tally.total()} marks, ${state?.marks ?? 0} loaded around the view, ${drawn} points on screen`;
}
