import { getSlide } from '../api/slides';
import type { Slide } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h } from '../dom';
import { describePairing, follow, mppKnown, pairing, type Match, type Offset, type Pairing, type PairSlide } from '../viewer/pairing';
import type { SlideViewer } from '../viewer/viewer';
import { errorText, isAbort } from './common';
import { Notices } from './notices';
import { workspace, type Workspace } from './viewer';

/**
 * pairPage shows two slides of one case side by side (H&E beside its IHC)
 * with pan and zoom kept in step: both show the same physical field, also
 * when the slides were scanned at different resolutions (by microns per
 * pixel, else by image size; the user may choose). The offset, in pixels of
 * the left slide, lines up sections that were not placed identically on the glass.
 */
export function pairPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const ids = [req.params['a'] ?? '', req.params['b'] ?? ''] as const;
  const abort = new AbortController();
  const messages = new Notices();
  // Each half is a full marking workspace: its slide's marks show, and can be made, in either pane.
  // The keyboard shortcuts go to the pane last pointed at or clicked.
  let active: 0 | 1 = 0;
  const pane = (i: 0 | 1): Workspace =>
    workspace(ctx, projectId, ids[i], { prefix: `pane${i}-`, stageClass: 'viewer-stage pair-stage', stageLabel: `Slide ${ids[i]}`, heading: 'h2', keysActive: () => active === i,
      titleClass: 'pair-title', titleOf: (s) => [s.name, s.stain].filter((v) => v).join(' · ') });
  const panes: [Workspace, Workspace] = [pane(0), pane(1)];
  const stages: [HTMLElement, HTMLElement] = [panes[0].stage, panes[1].stage];
  const viewers: [SlideViewer, SlideViewer] = [panes[0].viewer, panes[1].viewer];
  const halves = panes.map((p, i) => {
    const half = h('div', { class: 'pair-half', 'data-pane': String(i) }, h('div', { class: 'pair-head' }, ...p.head), p.body);
    for (const ev of ['pointerdown', 'pointerenter', 'focusin'] as const) half.addEventListener(ev, () => (active = i === 0 ? 0 : 1), { capture: true, passive: true });
    return half;
  });
  const dx = h('input', { id: 'pair-dx', type: 'number', value: 0, step: 10, size: 6 });
  const dy = h('input', { id: 'pair-dy', type: 'number', value: 0, step: 10, size: 6 });
  const sync = h('input', { id: 'pair-sync', type: 'checkbox', checked: true });
  const option = (value: Match, text: string): HTMLOptionElement => h('option', { value }, text);
  const matchBy = h('select', { id: 'pair-match' },
    option('mpp', 'Same physical size (µm per pixel)'), option('size', 'Image size'), option('pixels', 'Pixel for pixel'));
  const matchText = h('p', { class: 'pair-match status', 'data-testid': 'pair-match', 'aria-live': 'polite' }, 'Reading the slides’ resolution…');
  const element = h(
    'section',
    { class: 'pair-page viewer-page' },
    h('header', { class: 'viewer-head' },
      h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: '/' }, 'Projects'), ' / ',
        h('a', { href: `/projects/${encodeURIComponent(projectId)}` }, 'Slides')),
      h('h1', { class: 'viewer-title', tabindex: -1 }, 'Side by side'),
      h('span', { class: 'inline-form' },
        sync, h('label', { for: 'pair-sync' }, 'Move together'),
        h('label', { for: 'pair-match' }, 'Match by'), matchBy,
        h('label', { for: 'pair-dx' }, 'Offset x (px)'), dx,
        h('label', { for: 'pair-dy' }, 'Offset y (px)'), dy)),
    matchText,
    h('div', { class: 'pair-body' }, messages.element, ...halves),
  );
  const report = (err: unknown): void => {
    if (!isAbort(err)) messages.error(errorText(err));
  };
  // Until both slides are described, pixel for pixel.
  let match: Pairing = { ratio: 1, match: 'pixels' };
  let slides: [PairSlide, PairSlide] | null = null;
  const rematch = (): void => {
    if (slides === null) return;
    match = pairing(slides[0], slides[1], matchBy.value as Match);
    matchText.textContent = describePairing(match);
    stop.resync();
  };
  const infos = ids.map((id) => getSlide(ctx.api, id, abort.signal));
  // Both panes ready: marks loaded, tools and keys working.
  void Promise.all(panes.map((p) => p.ready)).then((ok) => {
    if (ok.every(Boolean)) element.dataset['ready'] = 'true';
  });
  Promise.all([Promise.all(infos), viewers[0].whenOpen(), viewers[1].whenOpen()]).then(([[a, b], sizeA, sizeB]) => {
    slides = [pairSlide(a as Slide, sizeA), pairSlide(b as Slide, sizeB)];
    const mpp = mppKnown(slides[0], slides[1]);
    (matchBy.querySelector('option[value=mpp]') as HTMLOptionElement).disabled = !mpp;
    matchBy.value = mpp ? 'mpp' : 'size';
    rematch();
  }, report);
  const stop = link(viewers, stages, () => (sync.checked ? { x: Number(dx.value) || 0, y: Number(dy.value) || 0 } : null), () => match);
  // A new offset, match or "move together" applies at once, not at the next move.
  [dx, dy, sync].forEach((el) => el.addEventListener('input', () => stop.resync()));
  matchBy.addEventListener('change', rematch);
  // Each half says where it looks (image pixels at the centre, zoom), for people comparing and for tests.
  const unwatch = viewers.map((v, i) => v.onRender(() => {
    const view = v.view();
    if (view !== null) stages[i]!.dataset['view'] = `${view.x.toFixed(1)},${view.y.toFixed(1)},${view.scale.toFixed(6)}`;
  }));
  return {
    title: 'Side by side',
    element,
    dispose: () => {
      abort.abort();
      stop();
      unwatch.forEach((u) => u());
      panes.forEach((p) => p.dispose());
    },
  };
}

/** pairSlide takes the size from the opened pyramid (what the viewer shows) and mpp from the slide record. */
function pairSlide(s: Slide, size: { width: number; height: number }): PairSlide {
  return { width: size.width, height: size.height, mpp: s.mpp_x };
}

/**
 * link keeps two viewers on the same place: the other side's view follows
 * from the leader's through the pairing and the offset. The half the user
 * last touched (pointer, wheel, key) leads and only it is followed: a
 * follower that cannot show the very same place (its slide is smaller, and
 * OpenSeadragon keeps part of it in view) must not drag the leader back.
 */
function link(
  viewers: [SlideViewer, SlideViewer],
  stages: [HTMLElement, HTMLElement],
  offset: () => Offset | null,
  match: () => Pairing,
): (() => void) & { resync(): void } {
  let leader: 0 | 1 = 0;
  // Capture phase: OpenSeadragon stops these events inside the viewer.
  const events = ['pointerdown', 'wheel', 'keydown', 'pointerenter'] as const;
  const takes = stages.map((st, i) => {
    const take = (): void => void (leader = i === 0 ? 0 : 1);
    events.forEach((ev) => st.addEventListener(ev, take, { capture: true, passive: true }));
    return () => events.forEach((ev) => st.removeEventListener(ev, take, { capture: true }));
  });
  const followFrom = (i: 0 | 1): void => {
    const o = offset();
    const v = viewers[i].view();
    if (i !== leader || o === null || v === null) return;
    const to = follow(v, i, match(), o);
    viewers[i === 0 ? 1 : 0].setView(to.x, to.y, to.scale);
  };
  const off = viewers.map((v, i) => v.onRender(() => followFrom(i === 0 ? 0 : 1)));
  return Object.assign(
    () => {
      off.forEach((f) => f());
      takes.forEach((t) => t());
    },
    { resync: () => followFrom(leader) },
  );
}
