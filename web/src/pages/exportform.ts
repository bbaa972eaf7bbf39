import { cutsPatches, exportFormats, exportRequest, type ExportParams } from '../api/exports';
import { h, replaceChildren } from '../dom';
import { alertBox } from './common';

export interface Choice {
  id: number;
  label: string;
}

/** ExportOptions are what the project offers to choose from. */
export interface ExportOptions {
  slides: readonly Choice[];
  categories: readonly Choice[];
  authors: readonly Choice[];
}

/**
 * exportForm asks which marks go into an export (slides, categories,
 * authors, review state; nothing ticked means all) and in which formats,
 * with the patch settings shown only when a patch format is chosen.
 */
export function exportForm(projectId: number, opts: ExportOptions, create: (body: ExportParams & { project_id: number }) => void): HTMLElement {
  const formats = exportFormats.map((f) => checkbox(`fmt-${f}`, f, f === 'geojson' || f === 'csv'));
  const slides = opts.slides.map((s) => checkbox(`exp-slide-${s.id}`, String(s.id)));
  const cats = opts.categories.map((c) => checkbox(`exp-cat-${c.id}`, String(c.id)));
  const authors = opts.authors.map((a) => checkbox(`exp-author-${a.id}`, String(a.id)));
  const sizes = h('input', { id: 'patch-sizes', value: '64, 128, 256, 512', inputmode: 'numeric' });
  const patchFormat = select('patch-format', [['png', 'PNG'], ['jpeg', 'JPEG']]);
  const edge = select('patch-edge', [['pad', 'pad with white'], ['skip', 'skip the patch']]);
  const review = select('export-review', [['all', 'all marks'], ['accepted', 'accepted marks only']]);
  const name = h('input', { id: 'export-name', maxlength: '200', placeholder: 'e.g. glioma-v3' });
  const negatives = checkbox('export-hard-negatives', 'hard_negatives');
  const patchRow = h('div', { class: 'inline-form patch-options' },
    h('label', { for: 'patch-sizes' }, 'Patch sizes (px)'), sizes,
    h('label', { for: 'patch-format' }, 'Patch image'), patchFormat,
    h('label', { for: 'patch-edge' }, 'At the slide edge'), edge);
  const errors = h('div', { 'aria-live': 'polite' });
  const showPatches = (): void => { patchRow.hidden = !formats.some((b) => b.checked && cutsPatches([b.value])); };
  formats.forEach((b) => b.addEventListener('change', showPatches));
  showPatches();
  const form = h(
    'form',
    { class: 'export-form', 'aria-label': 'New export' },
    group('Formats', formats, exportFormats),
    group('Slides (none ticked: all)', slides, opts.slides.map((s) => s.label)),
    group('Categories (none ticked: all)', cats, opts.categories.map((c) => c.label)),
    group('Authors (none ticked: all)', authors, opts.authors.map((a) => a.label)),
    patchRow,
    h('div', { class: 'inline-form' }, h('label', { for: 'export-review' }, 'Marks'), review,
      h('span', { class: 'check' }, negatives, h('label', { for: 'export-hard-negatives' }, 'rejected model suggestions as hard negatives')),
      h('label', { for: 'export-name' }, 'Name (optional)'), name,
      h('button', { type: 'submit', class: 'primary' }, 'Create export')),
    errors,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ticked = (bs: readonly HTMLInputElement[]): number[] => bs.filter((b) => b.checked).map((b) => Number(b.value));
    const req = exportRequest(projectId, {
      name: name.value,
      formats: formats.filter((b) => b.checked).map((b) => b.value), review: review.value,
      slideIds: ticked(slides), categoryIds: ticked(cats), authorIds: ticked(authors),
      patchSizes: sizes.value, patchFormat: patchFormat.value, edge: edge.value, hardNegatives: negatives.checked,
    });
    if ('error' in req) return replaceChildren(errors, alertBox(req.error));
    replaceChildren(errors);
    create(req.body);
  });
  return form;
}

function checkbox(id: string, value: string, checked = false): HTMLInputElement {
  return h('input', { type: 'checkbox', id, value, checked });
}

function group(legend: string, boxes: readonly HTMLInputElement[], labels: readonly string[]): HTMLElement {
  return h('fieldset', null, h('legend', null, legend),
    boxes.length === 0 ? h('span', { class: 'status' }, 'none yet') : null,
    ...boxes.map((b, i) => h('span', { class: 'check' }, b, h('label', { for: b.id }, labels[i] ?? b.value))));
}

function select(id: string, options: readonly (readonly [string, string])[]): HTMLSelectElement {
  return h('select', { id }, ...options.map(([value, label]) => h('option', { value }, label)));
}
