import { acceptedParty, getAgreement, getProjectAgreement, modelParty, type Agreement, type Party } from '../api/agreement';
import { listMembers, type Member } from '../api/members';
import { listCategories } from '../api/projects';
import { listSlides } from '../api/slides';
import { projectSuggestionProgress } from '../api/suggestions';
import type { Category, Slide } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { progressText } from '../suggestions/layer';
import { categoriesIn, categoryCell, figure, parseModelRef } from './agreementfigures';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

// The people whose marks a model is measured against: those who mark.
const markingRoles = new Set(['annotator', 'reviewer', 'manager']);
const defaultDistance = 10;

/** Row is one party compared with the model: a person, or the marks accepted from the model. */
interface Row {
  readonly party: Party;
  readonly label: string;
}

/** Context is what every table of the page shares. */
interface Context {
  readonly ctx: AppContext;
  readonly projectId: string;
  readonly slides: readonly Slide[];
  readonly people: readonly Member[];
  readonly names: ReadonlyMap<number, string>;
  readonly distance: number;
  readonly signal: AbortSignal;
}

/**
 * agreementPage measures a model version against people: for each
 * pathologist and for the marks people accepted from it, F1 of points
 * matched within a distance, IoU of regions and Cohen's kappa, per category,
 * for the project and for each slide. ?model=name@version picks the version,
 * ?compare= a second one shown beside it, ?distance= the match distance.
 */
export function agreementPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const model = parseModelRef(req.query.get('model') ?? '');
  const compare = parseModelRef(req.query.get('compare') ?? '');
  const distance = distanceOf(req.query.get('distance'));
  const abort = new AbortController();
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  const formSlot = h('div', null, statusBox('Loading slides, categories and members…'));
  const results = h('div', { class: 'agreement-results' });
  const element = h(
    'section',
    { class: 'agreement-page' },
    h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: '/' }, 'Projects'), ' / ',
      h('a', { href: `/projects/${encodeURIComponent(projectId)}` }, 'Slides')),
    pageHeading('Model agreement'),
    h('p', { class: 'page-intro' }, 'How a model version agrees with each pathologist and with the marks people accepted from it: F1 of points matched within a distance, IoU of regions, Cohen\'s kappa of matched points\' categories. The model is the reference (a).'),
    messages,
    formSlot,
    results,
  );
  const fail = (err: unknown): void => {
    if (!isAbort(err)) replaceChildren(messages, alertBox(errorText(err)));
  };
  const go = (a: string, b: string, d: number): void => {
    const q = new URLSearchParams({ model: a });
    if (b !== '') q.set('compare', b);
    if (d !== defaultDistance) q.set('distance', String(d));
    ctx.navigate(`/projects/${encodeURIComponent(projectId)}/agreement?${q}`);
  };
  void load(ctx, projectId, abort.signal).then(async (l) => {
    if (l.membersError !== null && !isAbort(l.membersError)) replaceChildren(messages, alertBox(`The members could not be listed, so only the accepted marks are compared: ${errorText(l.membersError)}`));
    replaceChildren(formSlot, pickForm(l.models, model ?? l.models[0] ?? '', compare ?? '', distance, go));
    const chosen = [model ?? l.models[0], compare].filter((m): m is string => m !== undefined && m !== null);
    if (chosen.length === 0) return replaceChildren(results, statusBox('No model has posted suggestions in this project yet.'));
    const c: Context = { ctx, projectId, slides: l.slides, people: l.people, names: l.names, distance, signal: abort.signal };
    const panels = chosen.map((m) => h('section', { class: 'agreement-model', 'aria-label': `Agreement of ${m}`, 'data-model': m }, h('h2', null, m), statusBox('Comparing…')));
    replaceChildren(results, h('div', { class: chosen.length > 1 ? 'agreement-columns' : '' }, ...panels));
    await Promise.all(chosen.map((m, i) => fillPanel(c, m, panels[i] as HTMLElement)));
  }).catch(fail);
  return { title: 'Model agreement', element, dispose: () => abort.abort() };
}

function distanceOf(q: string | null): number {
  const d = Number(q ?? defaultDistance);
  return Number.isFinite(d) && d >= 0 && d <= 500 ? d : defaultDistance;
}

interface Loaded {
  readonly slides: Slide[];
  readonly people: Member[];
  readonly names: Map<number, string>;
  readonly models: string[];
  readonly membersError: unknown;
}

/** load reads the ready slides, the categories' names, the people who mark and the project's model versions. */
async function load(ctx: AppContext, projectId: string, signal: AbortSignal): Promise<Loaded> {
  // Without the member list the page still compares the model with what people accepted from it.
  let membersError: unknown = null;
  const [all, cats, members, progress] = await Promise.all([
    listSlides(ctx.api, projectId, signal),
    listCategories(ctx.api, projectId, signal, { archived: true }),
    listMembers(ctx.api, projectId, signal).catch((err: unknown) => {
      membersError = err;
      return [] as Member[];
    }),
    projectSuggestionProgress(ctx.api, projectId, undefined, signal),
  ]);
  const slides = all.filter((s) => s.status === 'ready');
  return {
    slides,
    people: members.filter((m) => markingRoles.has(m.role)),
    names: new Map(cats.map((c: Category) => [Number(c.id), c.name])),
    models: [...progress.models],
    membersError,
  };
}

/** inTurn runs fn over items four at a time, answers in order. */
async function inTurn<T, R>(items: readonly T[], fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

function pickForm(models: readonly string[], a: string, b: string, distance: number, go: (a: string, b: string, d: number) => void): HTMLElement {
  const list = h('datalist', { id: 'model-versions' }, ...models.map((m) => h('option', { value: m })));
  const first = h('input', { id: 'agreement-model', value: a, list: 'model-versions', required: true, autocomplete: 'off', placeholder: 'name@version' });
  const second = h('input', { id: 'agreement-compare', value: b, list: 'model-versions', autocomplete: 'off', placeholder: 'name@version (optional)' });
  const dist = h('input', { id: 'agreement-distance', type: 'number', min: 0, max: 500, step: 'any', value: String(distance) });
  const error = h('p', { class: 'form-error', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Choose model versions' },
    list,
    h('label', { for: 'agreement-model' }, 'Model version'), first,
    h('label', { for: 'agreement-compare' }, 'Compare with'), second,
    h('label', { for: 'agreement-distance' }, 'Point match distance (px)'), dist,
    h('button', { type: 'submit', class: 'primary' }, 'Compare'),
    error,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ma = parseModelRef(first.value);
    const mb = second.value.trim() === '' ? '' : parseModelRef(second.value);
    if (ma === null || mb === null) {
      error.textContent = 'A model version is written name@version, as the model posted it (for example pathofusion@v3).';
      return;
    }
    go(ma, mb, distanceOf(dist.value));
  });
  return form;
}

/** fillPanel compares one model version with every party on every slide and shows the project's and each slide's figures. */
async function fillPanel(c: Context, model: string, panel: HTMLElement): Promise<void> {
  const rows: Row[] = [
    ...c.people.map((p) => ({ party: String(p.user_id), label: p.display_name !== undefined && p.display_name !== '' ? p.display_name : p.username })),
    { party: acceptedParty(model), label: 'Accepted from this model' },
  ];
  const progress = h('p', { class: 'agreement-progress', 'data-testid': 'agreement-progress' });
  projectSuggestionProgress(c.ctx.api, c.projectId, model, c.signal).then(
    (p) => (progress.textContent = `${progressText(p.reviewed, p.total)} (${p.accepted.toLocaleString('en-US')} accepted, ${p.rejected.toLocaleString('en-US')} rejected)`),
    (err: unknown) => (progress.textContent = isAbort(err) ? '' : `Progress unknown: ${errorText(err)}`),
  );
  const jobs = c.slides.flatMap((s) => rows.map((r) => ({ slide: s, row: r })));
  const answers = await inTurn(jobs, (j) =>
    getAgreement(c.ctx.api, String(j.slide.id), modelParty(model), j.row.party, c.distance, c.signal).then(
      (ag): Agreement | Error => ag,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    ),
  );
  // The project's figures come pooled from the service: its kappa is over
  // every slide's matched points, which the slides' answers cannot give.
  const projectAnswers = await Promise.all(rows.map((r) =>
    getProjectAgreement(c.ctx.api, c.projectId, modelParty(model), r.party, c.distance, c.signal).then(
      (ag): Agreement | Error => ag,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    ),
  ));
  if (c.signal.aborted) return;
  const at = (slide: number, row: number): Agreement | Error => answers[slide * rows.length + row] as Agreement | Error;
  const refused = [...projectAnswers, ...answers].find((a): a is Error => a instanceof Error);
  const cats = categoriesIn([...answers, ...projectAnswers].filter((a): a is Agreement => !(a instanceof Error)));
  replaceChildren(
    panel,
    h('h2', null, model),
    progress,
    refused !== undefined && alertBox(`Some comparisons failed: ${errorText(refused)}`),
    h('h3', null, 'Whole project'),
    table(c, `project ${model}`, cats, rows.map((r, i) => ({ row: r, ag: projectAnswers[i] as Agreement | Error }))),
    c.slides.length > 1 && h('p', { class: 'form-hint' }, "The project's figures pool every slide: counts and areas added up, κ over all the slides' matched points."),
    c.slides.length > 0 && h('h3', null, 'Per slide'),
    ...c.slides.map((s, si) =>
      h('details', { class: 'agreement-slide', 'data-slide': String(s.id) },
        h('summary', null, s.name),
        table(c, `${s.name} ${model}`, cats, rows.map((r, ri) => ({ row: r, ag: at(si, ri) })))),
    ),
  );
}

interface Line {
  readonly row: Row;
  readonly ag: Agreement | Error;
}

/** table: a row per party; per category F1 (points) and IoU (regions); then kappa and the matched points. */
function table(c: Context, label: string, cats: readonly number[], lines: readonly Line[]): HTMLElement {
  const name = (id: number): string => c.names.get(id) ?? `category ${id}`;
  return h(
    'table',
    { class: 'data-table agreement-table', 'aria-label': `Agreement, ${label}` },
    h('thead', null,
      h('tr', null, h('th', { scope: 'col', rowspan: 2 }, 'Compared with'),
        ...cats.map((id) => h('th', { scope: 'colgroup', colspan: 2 }, name(id))),
        h('th', { scope: 'col', rowspan: 2, title: "Cohen's kappa of the categories of points matched regardless of category" }, 'κ'),
        h('th', { scope: 'col', rowspan: 2 }, 'Matched points')),
      h('tr', null, ...cats.flatMap(() => [h('th', { scope: 'col', title: 'F1 of points matched within the distance' }, 'F1'), h('th', { scope: 'col', title: 'Intersection over union of regions' }, 'IoU')]))),
    h('tbody', null, ...lines.map((l) => line(l, cats))),
  );
}

function line(l: Line, cats: readonly number[]): HTMLElement {
  const head = h('th', { scope: 'row' }, l.row.label);
  if (l.ag instanceof Error) return h('tr', { 'data-party': l.row.party }, head, h('td', { colspan: 2 * cats.length + 2, class: 'status-failed' }, errorText(l.ag)));
  const ag = l.ag;
  return h(
    'tr',
    { 'data-party': l.row.party },
    head,
    ...cats.flatMap((id) => {
      const cell = categoryCell(ag.categories.find((x) => x.category_id === id));
      return [
        h('td', { 'data-category': String(id), 'data-figure': 'f1', title: cell.detail }, cell.f1),
        h('td', { 'data-category': String(id), 'data-figure': 'iou', title: cell.detail }, cell.iou),
      ];
    }),
    h('td', { 'data-figure': 'kappa' }, figure(ag.kappa)),
    h('td', { 'data-figure': 'matched' }, String(ag.matched_points)),
  );
}
