import { dziUrl, getSlide } from '../api/slides';
import type { AppContext, Page, PageRequest } from '../app';
import { h } from '../dom';
import { SlideViewer } from '../viewer/viewer';
import { alertBox, errorText, isAbort } from './common';

/**
 * pairPage shows two slides of one case side by side (H&E beside its IHC)
 * with pan and zoom kept in step. The offset, in pixels of the left slide,
 * lines up sections that were not placed identically on the glass.
 */
export function pairPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const ids = [req.params['a'] ?? '', req.params['b'] ?? ''] as const;
  const abort = new AbortController();
  const messages = h('div', { class: 'viewer-messages', 'aria-live': 'polite' });
  const stage = (id: string): HTMLElement => h('div', { class: 'viewer-stage pair-stage', role: 'region', 'aria-label': `Slide ${id}` });
  const stages: [HTMLElement, HTMLElement] = [stage(ids[0]), stage(ids[1])];
  const titles = ids.map((id) => h('h2', { class: 'pair-title' }, `Slide ${id}`));
  const viewers: [SlideViewer, SlideViewer] = [
    new SlideViewer(stages[0], dziUrl(ids[0]), `Overview of slide ${ids[0]}`),
    new SlideViewer(stages[1], dziUrl(ids[1]), `Overview of slide ${ids[1]}`),
  ];
  const dx = h('input', { id: 'pair-dx', type: 'number', value: 0, step: 10, size: 6 });
  const dy = h('input', { id: 'pair-dy', type: 'number', value: 0, step: 10, size: 6 });
  const sync = h('input', { id: 'pair-sync', type: 'checkbox', checked: true });
  const element = h(
    'section',
    { class: 'pair-page viewer-page' },
    h('header', { class: 'viewer-head' },
      h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: '/' }, 'Projects'), ' / ',
        h('a', { href: `/projects/${encodeURIComponent(projectId)}` }, 'Slides')),
      h('h1', { class: 'viewer-title', tabindex: -1 }, 'Side by side'),
      h('span', { class: 'inline-form' },
        sync, h('label', { for: 'pair-sync' }, 'Move together'),
        h('label', { for: 'pair-dx' }, 'Offset x (px)'), dx,
        h('label', { for: 'pair-dy' }, 'Offset y (px)'), dy)),
    messages,
    h('div', { class: 'pair-body' }, ...stages.map((s, i) => h('div', { class: 'pair-half' }, titles[i], s))),
  );
  ids.forEach((id, i) => getSlide(ctx.api, id, abort.signal).then(
    (s) => ((titles[i] as HTMLElement).textContent = [s.name, s.stain].filter((v) => v).join(' · ')),
    (err: unknown) => {
      if (!isAbort(err)) messages.appendChild(alertBox(errorText(err)));
    },
  ));
  const stop = link(viewers, stages, () => (sync.checked ? { x: Number(dx.value) || 0, y: Number(dy.value) || 0 } : null));
  // A new offset or "move together" applies at once, not at the next move.
  [dx, dy, sync].forEach((el) => el.addEventListener('input', () => stop.resync()));
  // Each half says where it looks (image pixels at the centre, zoom), for people comparing and for tests.
  const unwatch = viewers.map((v, i) => v.onRender(() => {
    const view = v.view();
    if (view !== null) stages[i]!.dataset['view'] = `${view.x.toFixed(1)},${view.y.toFixed(1)},${view.scale.toFixed(5)}`;
  }));
  return {
    title: 'Side by side',
    element,
    dispose: () => {
      abort.abort();
      stop();
      unwatch.forEach((u) => u());
      viewers.forEach((v) => v.destroy());
    },
  };
}

/**
 * link keeps two viewers on the same place at the same scale: the right
 * slide's position is the left one's plus the offset. The half the user last
 * touched (pointer, wheel, key) leads and only it is followed: a follower that
 * cannot show the very same place (its slide is smaller, and OpenSeadragon
 * keeps part of it in view) must not drag the leader back.
 */
function link(viewers: [SlideViewer, SlideViewer], stages: [HTMLElement, HTMLElement], offset: () => { x: number; y: number } | null): (() => void) & { resync(): void } {
  let leader = 0;
  // Capture phase: OpenSeadragon stops these events inside the viewer.
  const events = ['pointerdown', 'wheel', 'keydown', 'pointerenter'] as const;
  const takes = stages.map((st, i) => {
    const take = (): void => void (leader = i);
    events.forEach((ev) => st.addEventListener(ev, take, { capture: true, passive: true }));
    return () => events.forEach((ev) => st.removeEventListener(ev, take, { capture: true }));
  });
  const follow = (i: number): void => {
    const o = offset();
    const v = viewers[i]?.view() ?? null;
    if (i !== leader || o === null || v === null) return;
    const sign = i === 0 ? 1 : -1;
    (viewers[1 - i] as SlideViewer).setView(v.x + sign * o.x, v.y + sign * o.y, v.scale);
  };
  const off = viewers.map((v, i) => v.onRender(() => follow(i)));
  return Object.assign(
    () => {
      off.forEach((f) => f());
      takes.forEach((t) => t());
    },
    { resync: () => follow(leader) },
  );
}
