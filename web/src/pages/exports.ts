import { cancelExport, createExport, exportFiles, exportFormats, listExports, type ExportJob } from '../api/exports';
import type { AppContext, Page, PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

const pollMs = 2000;

/** exportsPage creates training-data exports of a project and follows them to their download links. */
export function exportsPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  const list = h('div', null, statusBox('Loading exports…'));
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
    exportForm((body) => {
      replaceChildren(messages);
      createExport(ctx.api, { project_id: Number(projectId), ...body }).then(load, fail);
    }),
    h('h2', null, 'Past exports'),
    list,
  );
  load();
  return { title: 'Exports', element, dispose: () => { abort.abort(); window.clearTimeout(timer); } };
}

function exportForm(create: (body: { formats: string[]; review: string; patch_sizes?: number[] }) => void): HTMLElement {
  const boxes = exportFormats.map((f) => h('input', { type: 'checkbox', id: `fmt-${f}`, value: f, checked: f === 'geojson' || f === 'csv' }));
  const sizes = h('input', { id: 'patch-sizes', value: '64, 128, 256, 512', inputmode: 'numeric' });
  const review = h('select', { id: 'export-review' }, h('option', { value: 'all' }, 'all marks'), h('option', { value: 'accepted' }, 'accepted marks only'));
  const form = h(
    'form',
    { class: 'export-form', 'aria-label': 'New export' },
    h('fieldset', null, h('legend', null, 'Formats'), ...boxes.map((b) => h('span', { class: 'check' }, b, h('label', { for: b.id }, b.value)))),
    h('div', { class: 'inline-form' },
      h('label', { for: 'patch-sizes' }, 'Patch sizes (px)'), sizes,
      h('label', { for: 'export-review' }, 'Marks'), review,
      h('button', { type: 'submit', class: 'primary' }, 'Create export')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const formats = boxes.filter((b) => b.checked).map((b) => b.value);
    const patchSizes = sizes.value.split(/[\s,]+/).filter((s) => s !== '').map(Number);
    const patches = formats.includes('patches') || formats.includes('pathofusion');
    create({ formats, review: review.value, ...(patches ? { patch_sizes: patchSizes } : {}) });
  });
  return form;
}

function exportTable(ctx: AppContext, jobs: readonly ExportJob[], reload: () => void, fail: (err: unknown) => void): HTMLElement {
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Exports' },
    h('thead', null, h('tr', null, ...['Export', 'Formats', 'Status', 'Marks', 'Location', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...jobs.map((j) => {
      const files = h('div', { class: 'export-files' });
      const running = j.status === 'queued' || j.status === 'running';
      const action = j.status === 'done'
        ? h('button', { type: 'button', onclick: () => exportFiles(ctx.api, j.id).then((fs) => replaceChildren(files, fileList(fs)), fail) }, 'Download links')
        : running ? h('button', { type: 'button', onclick: () => cancelExport(ctx.api, j.id).then(reload, fail) }, 'Cancel') : null;
      return h(
        'tr',
        { 'data-export': String(j.id) },
        h('td', null, `#${j.id}`),
        h('td', null, j.params.formats.join(', ')),
        h('td', { class: 'export-status' }, running ? h('progress', { max: 100, value: j.progress, 'aria-label': `Export ${j.id} progress` }) : null, ` ${j.status}${running ? ` ${j.progress}%` : ''}`, j.error ? `: ${j.error}` : ''),
        h('td', null, String(j.marks)),
        h('td', null, h('code', null, `s3://${j.bucket}/${j.prefix}`)),
        h('td', null, action, files),
      );
    })),
  );
}

function fileList(fs: readonly { path: string; url: string }[]): HTMLElement {
  return h('ul', { class: 'file-links' }, ...fs.map((f) => h('li', null, h('a', { href: f.url, rel: 'external noopener', target: '_blank' }, f.path))));
}
