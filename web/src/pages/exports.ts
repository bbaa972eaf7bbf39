import { cancelExport, createExport, exportFiles, listExports, moreFiles, pinExport, selectionSummary, type ExportFile, type ExportJob } from '../api/exports';
import { listMembers } from '../api/members';
import { listCategories } from '../api/projects';
import { listSlides } from '../api/slides';
import type { AppContext, Page, PageRequest } from '../app';
import { append, h, replaceChildren } from '../dom';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';
import { exportForm, type ExportOptions } from './exportform';

const pollMs = 2000;

/** exportsPage creates training-data exports of a project and follows them to their download links. */
export function exportsPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  const list = h('div', null, statusBox('Loading exports…'));
  const formSlot = h('div', null, statusBox('Loading slides, categories and members…'));
  const abort = new AbortController();
  let timer = 0;
  const fail = (err: unknown): void => {
    if (!isAbort(err)) replaceChildren(messages, alertBox(errorText(err)));
  };
  const load = (): void => {
    window.clearTimeout(timer);
    listExports(ctx.api, projectId, abort.signal).then((jobs) => {
      replaceChildren(list, jobs.length === 0 ? h('p', { class: 'status' }, 'No exports yet.') : exportTable(ctx, jobs, load, fail));
      if (jobs.some((j) => j.status === 'queued' || j.status === 'running')) timer = window.setTimeout(load, pollMs);
    }, fail);
  };
  const element = h(
    'section',
    { class: 'exports-page' },
    h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: '/' }, 'Projects'), ' / ',
      h('a', { href: `/projects/${encodeURIComponent(projectId)}` }, 'Slides')),
    pageHeading('Exports'),
    messages,
    formSlot,
    h('h2', null, 'Past exports'),
    list,
  );
  exportOptions(ctx, projectId, abort.signal).then((opts) => replaceChildren(formSlot, exportForm(Number(projectId), opts, (body) => {
    replaceChildren(messages);
    createExport(ctx.api, body).then(load, fail);
  })), fail);
  load();
  return { title: 'Exports', element, dispose: () => { abort.abort(); window.clearTimeout(timer); } };
}

/** exportOptions gathers what an export can select: ready slides, every category (archived too: old marks use them), members. */
async function exportOptions(ctx: AppContext, projectId: string, signal: AbortSignal): Promise<ExportOptions> {
  const [slides, cats, members] = await Promise.all([
    listSlides(ctx.api, projectId, signal),
    listCategories(ctx.api, projectId, signal, { archived: true }),
    listMembers(ctx.api, projectId, signal),
  ]);
  return {
    slides: slides.filter((s) => s.status === 'ready').map((s) => ({ id: Number(s.id), label: s.name })),
    categories: cats.map((c) => ({ id: Number(c.id), label: c.archived === true ? `${c.name} (archived)` : c.name })),
    authors: members.map((m) => ({ id: m.user_id, label: m.display_name !== undefined && m.display_name !== '' ? m.display_name : m.username })),
  };
}

function exportTable(ctx: AppContext, jobs: readonly ExportJob[], reload: () => void, fail: (err: unknown) => void): HTMLElement {
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Exports' },
    h('thead', null, h('tr', null, ...['Export', 'Formats', 'Selection', 'Status', 'Marks', 'Location', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...jobs.map((j) => {
      const files = h('div', { class: 'export-files' });
      const running = j.status === 'queued' || j.status === 'running';
      const action = j.status === 'done'
        ? h('button', { type: 'button', onclick: () => showFiles(ctx, j.id, files, fail) }, 'Download links')
        : running ? h('button', { type: 'button', onclick: () => cancelExport(ctx.api, j.id).then(reload, fail) }, 'Cancel') : null;
      return h(
        'tr',
        { 'data-export': String(j.id) },
        h('td', null, `#${j.id}`, j.name ? ` ${j.name}` : '', j.pinned ? ' (pinned)' : ''),
        h('td', null, j.params.formats.join(', ')),
        h('td', null, selectionSummary(j.params)),
        h('td', { class: 'export-status' }, running ? h('progress', { max: 100, value: j.progress, 'aria-label': `Export ${j.id} progress` }) : null, ` ${j.status}${running ? ` ${j.progress}%` : ''}`, j.error ? `: ${j.error}` : ''),
        h('td', null, String(j.marks)),
        h('td', null, h('code', null, `s3://${j.bucket}/${j.prefix}`)),
        h('td', null, action,
          // Pinned exports outlive the retention (PATHOLABEL_EXPORT_RETENTION); expired ones cannot be pinned.
          j.status !== 'expiring' && j.status !== 'expired' && h('button', { type: 'button', 'aria-pressed': String(j.pinned === true),
            onclick: () => pinExport(ctx.api, j.id, j.pinned !== true).then(reload, fail) }, j.pinned === true ? 'Unpin' : 'Pin'),
          // One archive of every file, streamed by the service as it is read from storage.
          j.status === 'done' && h('a', { href: `/api/v1/exports/${encodeURIComponent(String(j.id))}/zip`, class: 'button export-zip', download: `export-${j.id}.zip` }, 'Download all (zip)'),
          files),
      );
    })),
  );
}

/**
 * showFiles lists an export's download links a page at a time (a large
 * export has hundreds of thousands of files), with a button for the next
 * page while some are not shown.
 */
function showFiles(ctx: AppContext, id: number, slot: HTMLElement, fail: (err: unknown) => void): void {
  const list = h('ul', { class: 'file-links' });
  const more = h('div', { class: 'file-links-more' });
  let shown = 0;
  const next = (button?: HTMLButtonElement): void => {
    if (button !== undefined) button.disabled = true; // one request per page, however often it is clicked
    exportFiles(ctx.api, id, shown).then((page) => {
      if (shown === 0) replaceChildren(slot, list, more);
      append(list, ...page.files.map(fileItem));
      shown += page.files.length;
      const text = page.files.length > 0 ? moreFiles(shown, page.total) : '';
      if (text === '') replaceChildren(more);
      else replaceChildren(more, `${text} `, h('button', { type: 'button', onclick: (ev: MouseEvent) => next(ev.currentTarget as HTMLButtonElement) }, 'More links'));
    }, (err: unknown) => {
      if (button !== undefined) button.disabled = false;
      fail(err);
    });
  };
  next();
}

function fileItem(f: ExportFile): HTMLElement {
  return h('li', null, h('a', { href: f.url, rel: 'external noopener', target: '_blank' }, f.path));
}
