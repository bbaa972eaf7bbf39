import { slideProgress } from '../api/review';
import { listSlides, retrySlide, slideStatusText, thumbnailUrl } from '../api/slides';
import { projectSuggestionProgress, type ProjectProgress } from '../api/suggestions';
import { progressText } from '../suggestions/layer';
import type { Slide } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';
import { filterSlides, tabs, type Tab } from './slidefilter';
import { uploadPanel } from './upload';

// While a slide is being tiled the list refreshes itself this often.
const pollMs = 2000;

export function slidesPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const me = String(ctx.session.user?.id ?? '');
  const body = h('div', { class: 'page-body' }, statusBox('Loading slides…'));
  const abort = new AbortController();
  let timer = 0;
  let slides: Slide[] = [];
  const mine = new Map<string, string>();
  let tab: Tab = 'all';
  // The model suggestions' progress, in all and per slide (null: none posted, or not known).
  let reviewed: ProjectProgress | null = null;
  const summary = h('p', { class: 'suggestion-summary', 'data-testid': 'project-suggestion-progress', hidden: true });
  const search = h('input', { type: 'search', id: 'slide-search', placeholder: 'Name, case or stain', autocomplete: 'off' });
  const tabButtons = tabs.map(([t, label]) =>
    h('button', { type: 'button', 'aria-pressed': String(t === tab), 'data-tab': t, onclick: () => pick(t) }, label));
  const render = (): void => {
    if (slides.length === 0) return replaceChildren(body, emptyState());
    const shown = filterSlides(slides, search.value, tab, mine);
    replaceChildren(body, shown.length === 0 ? h('p', { class: 'status' }, 'No slide matches.') : slideTable(projectId, shown, slides, retry, reviewed));
  };
  const pick = (t: Tab): void => {
    tab = t;
    tabButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset['tab'] === t)));
    render();
  };
  search.addEventListener('input', render);
  // retry queues a failed slide again, then lists it (queued, so the list polls until it settles).
  const retry = (s: Slide, button: HTMLButtonElement): void => {
    button.disabled = true;
    retrySlide(ctx.api, String(s.id)).then(load, (err: unknown) => {
      button.disabled = false;
      button.after(h('span', { class: 'status-failed', role: 'alert' }, ` ${errorText(err)}`));
    });
  };
  const loadProgress = (): void => {
    projectSuggestionProgress(ctx.api, projectId, undefined, abort.signal).then(
      (p) => {
        reviewed = p.total > 0 ? p : null;
        summary.hidden = reviewed === null;
        summary.textContent = `Model suggestions: ${progressText(p.reviewed, p.total)} (${p.accepted.toLocaleString('en-US')} accepted, ${p.rejected.toLocaleString('en-US')} rejected)`;
        render();
      },
      // Without the annotation service the list still works; the line stays hidden.
      () => undefined,
    );
  };
  const load = (): void => {
    window.clearTimeout(timer);
    listSlides(ctx.api, projectId, abort.signal).then(
      (got) => {
        slides = got;
        render();
        void loadStatuses(ctx, got, me, mine, abort.signal).then(render);
        if (got.some((s) => s.status === 'queued' || s.status === 'processing')) timer = window.setTimeout(load, pollMs);
      },
      (err: unknown) => {
        if (!isAbort(err)) replaceChildren(body, alertBox(errorText(err)));
      },
    );
  };
  const element = h(
    'section',
    { class: 'slides-page' },
    h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: '/' }, 'Projects')),
    pageHeading('Slides'),
    h('p', { class: 'page-links' },
      h('a', { href: `/projects/${encodeURIComponent(projectId)}/settings` }, 'Project settings: categories and members'),
      h('a', { href: `/projects/${encodeURIComponent(projectId)}/exports` }, 'Exports'),
      h('a', { href: `/projects/${encodeURIComponent(projectId)}/agreement` }, 'Model agreement')),
    summary,
    h('div', { class: 'slide-filters' },
      h('div', { class: 'group', role: 'group', 'aria-label': 'Your progress' }, ...tabButtons),
      h('label', { for: 'slide-search' }, 'Search'), search),
    body,
    uploadPanel(ctx, projectId, load),
  );
  load();
  loadProgress();
  return {
    title: 'Slides',
    element,
    dispose: () => {
      abort.abort();
      window.clearTimeout(timer);
    },
  };
}

/**
 * canOpen: a slide opens as soon as its tiles are served — from the
 * pyramid once ready, or from the uploaded source while the pyramid is
 * built (the tiler answers viewable), so a pathologist need not wait for
 * the whole pyramid.
 */
export function canOpen(s: Slide): boolean {
  return s.status === 'ready' || s.viewable === true;
}

function emptyState(): HTMLElement {
  return h('div', { class: 'empty-state' }, h('p', null, 'This project has no slides yet.'));
}

/** loadStatuses asks, a few slides at a time, where the signed-in annotator stands on each ready slide. */
async function loadStatuses(ctx: AppContext, slides: readonly Slide[], me: string, mine: Map<string, string>, signal: AbortSignal): Promise<void> {
  const todo = slides.filter((s) => canOpen(s) && !mine.has(String(s.id)));
  const worker = async (): Promise<void> => {
    for (let s = todo.shift(); s !== undefined; s = todo.shift()) {
      try {
        const all = await slideProgress(ctx.api, String(s.id), signal);
        mine.set(String(s.id), all.find((p) => String(p.user_id) === me)?.status ?? 'not_started');
      } catch {
        // Without the annotation service the tabs show every slide as to do; the list itself still works.
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

type Retry = (s: Slide, button: HTMLButtonElement) => void;

function slideTable(projectId: string, slides: readonly Slide[], all: readonly Slide[], retry: Retry, reviewed: ProjectProgress | null): HTMLElement {
  const bySlide = new Map((reviewed?.slides ?? []).map((p) => [String(p.slide_id), p]));
  const cols = ['Preview', 'Name', 'Case', 'Stain', 'Status', ...(reviewed === null ? [] : ['Suggestions'])];
  return h(
    'table',
    { class: 'slide-table' },
    h('caption', { class: 'visually-hidden' }, 'Slides of this project'),
    h(
      'thead',
      null,
      h('tr', null, ...cols.map((c) => h('th', { scope: 'col' }, c))),
    ),
    h('tbody', null, ...slides.map((s) => {
      const row = slideRow(projectId, s, all, retry);
      const p = bySlide.get(String(s.id));
      if (reviewed !== null) row.append(h('td', { 'data-testid': 'slide-suggestion-progress' }, p === undefined ? '' : progressText(p.reviewed, p.total)));
      return row;
    })),
  );
}

/** pairLinks offer the other ready slides of the same case side by side (H&E beside its IHC). */
function pairLinks(projectId: string, s: Slide, all: readonly Slide[]): HTMLElement | null {
  if (!canOpen(s) || s.case_id === undefined || s.case_id === '') return null;
  const others = all.filter((o) => o.id !== s.id && o.case_id === s.case_id && canOpen(o));
  if (others.length === 0) return null;
  const base = `/projects/${encodeURIComponent(projectId)}/pair/${encodeURIComponent(String(s.id))}`;
  return h('span', { class: 'pair-links' }, ...others.map((o) =>
    h('a', { href: `${base}/${encodeURIComponent(String(o.id))}`, title: `Show ${s.name} beside ${o.name}` }, `beside ${o.stain !== undefined && o.stain !== '' ? o.stain : o.name}`)));
}

function slideRow(projectId: string, s: Slide, all: readonly Slide[], retry: Retry): HTMLElement {
  const id = String(s.id);
  const ready = s.status === 'ready';
  const open = canOpen(s);
  const href = `/projects/${encodeURIComponent(projectId)}/slides/${encodeURIComponent(id)}`;
  return h(
    'tr',
    null,
    h('td', null, ready && h('img', { src: thumbnailUrl(id), alt: '', class: 'thumb', loading: 'lazy' })),
    h('td', null, open ? h('a', { href }, s.name) : s.name),
    h('td', null, s.case_id ?? '', ' ', pairLinks(projectId, s, all)),
    h('td', null, s.stain ?? ''),
    h('td', null, statusCell(s, retry)),
  );
}

function statusCell(s: Slide, retry: Retry): HTMLElement {
  if (s.status === 'processing' || s.status === 'queued') {
    const pct = Math.round(s.progress ?? 0);
    return h(
      'span',
      { class: 'status-cell' },
      h('progress', { max: 100, value: pct, 'aria-label': `Tiling ${s.name}` }),
      ` ${slideStatusText(s)}`,
    );
  }
  if (s.status === 'failed') {
    // The service refuses viewers (403); the error then shows beside the button.
    const button = h('button', { type: 'button', class: 'retry-slide', title: `Tile ${s.name} again from its uploaded file` }, 'Retry');
    button.addEventListener('click', () => retry(s, button));
    return h('span', { class: 'status-cell' }, h('span', { class: 'status-failed' }, slideStatusText(s)), ' ', button);
  }
  return h('span', null, s.status);
}
