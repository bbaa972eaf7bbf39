import { categoryChanges, type CategoryPatch } from '../api/projects';
import type { Category } from '../api/types';
import { h } from '../dom';
import { actionsHeading } from './common';

export interface CategoryActions {
  /** save sends the changed fields; nothing is sent when nothing changed. */
  save(c: Category, patch: CategoryPatch): void;
  remove(c: Category): void;
  restore(c: Category): void;
}

/**
 * categoryTable lists a project's categories, archived ones too (greyed,
 * with Restore): archiving keeps old marks readable. Edit turns a row into
 * a form for every field the service lets a manager change.
 */
export function categoryTable(cs: readonly Category[], act: CategoryActions): HTMLElement {
  if (cs.length === 0) return h('p', { class: 'status' }, 'No categories yet.');
  const body = h('tbody', null, ...cs.map((c) => editableRow(c, act)));
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Categories' },
    h('thead', null, h('tr', null, ...['Name', 'Class id', 'Colour', 'Shortcut', 'Order', 'Description', ''].map((t) => h('th', { scope: 'col' }, t || actionsHeading())))),
    body,
  );
}

/** editableRow swaps between the read-only row and its editor in place. */
function editableRow(c: Category, act: CategoryActions): HTMLTableRowElement {
  const view = categoryRow(c, act, () => {
    const editor = editorRow(c, act, () => editor.replaceWith(view));
    view.replaceWith(editor);
    editor.querySelector('input')?.focus();
  });
  return view;
}

function categoryRow(c: Category, act: CategoryActions, edit: () => void): HTMLTableRowElement {
  const archived = c.archived === true;
  const buttons = archived
    ? [h('button', { type: 'button', onclick: () => act.restore(c), 'aria-label': `Restore ${c.name}` }, 'Restore')]
    : [
        h('button', { type: 'button', onclick: edit, 'aria-label': `Edit ${c.name}` }, 'Edit'),
        h('button', { type: 'button', onclick: () => act.remove(c), 'aria-label': `Remove ${c.name}`, title: 'Archived if marks use it, deleted otherwise' }, 'Remove'),
      ];
  return h(
    'tr',
    { class: archived ? 'archived' : '', 'data-category': String(c.id) },
    h('td', null, h('span', { class: 'swatch', style: `background:${c.color}`, 'aria-hidden': 'true' }), ` ${c.name}${archived ? ' (archived)' : ''}`),
    h('td', null, String(c.class_id)),
    h('td', null, h('code', null, c.color)),
    h('td', null, c.shortcut !== undefined && c.shortcut !== '' ? h('kbd', null, c.shortcut) : ''),
    h('td', null, String(c.order ?? 0)),
    h('td', null, c.description ?? ''),
    h('td', { class: 'row-actions' }, ...buttons),
  );
}

function editorRow(c: Category, act: CategoryActions, cancel: () => void): HTMLTableRowElement {
  const id = `edit-${c.id}`;
  const input = (field: string, label: string, attrs: Record<string, string | number | boolean>): HTMLInputElement =>
    h('input', { id: `${id}-${field}`, 'aria-label': `${label} of ${c.name}`, ...attrs });
  const name = input('name', 'Name', { value: c.name, required: true, maxlength: 128 });
  const classId = input('class', 'Class id', { type: 'number', min: 1, max: 65535, required: true, value: c.class_id });
  const color = input('color', 'Colour', { type: 'color', value: c.color });
  const shortcut = input('shortcut', 'Shortcut', { value: c.shortcut ?? '', maxlength: 8, size: 4 });
  const order = input('order', 'Order', { type: 'number', value: c.order ?? 0, size: 4 });
  const description = input('description', 'Description', { value: c.description ?? '', maxlength: 2000 });
  const form = h('form', { id, 'aria-label': `Edit ${c.name}` });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const patch = categoryChanges(c, { name: name.value.trim(), class_id: Number(classId.value), color: color.value, shortcut: shortcut.value.trim(), order: Number(order.value), description: description.value.trim() });
    if (Object.keys(patch).length === 0) return cancel();
    act.save(c, patch);
  });
  const cell = (el: HTMLElement): HTMLTableCellElement => h('td', null, el);
  for (const el of [name, classId, color, shortcut, order, description]) el.setAttribute('form', id);
  return h(
    'tr',
    { 'data-edit': String(c.id), class: 'editing' },
    cell(name), cell(classId), cell(color), cell(shortcut), cell(order), cell(description),
    h('td', { class: 'row-actions' }, form,
      h('button', { type: 'submit', class: 'primary', form: id }, 'Save'),
      h('button', { type: 'button', onclick: cancel }, 'Cancel')),
  );
}

/** categoryForm adds a category; the colour picker starts on a colour the palette distinguishes. */
export function categoryForm(create: (body: unknown) => void): HTMLElement {
  const name = h('input', { id: 'cat-name', required: true, maxlength: 128 });
  const classId = h('input', { id: 'cat-class', type: 'number', min: 1, max: 65535, required: true });
  const color = h('input', { id: 'cat-color', type: 'color', value: '#e6194b' });
  const shortcut = h('input', { id: 'cat-shortcut', maxlength: 8, size: 4 });
  const description = h('input', { id: 'cat-description', maxlength: 2000 });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Add a category' },
    h('label', { for: 'cat-name' }, 'Name'), name,
    h('label', { for: 'cat-class' }, 'Class id'), classId,
    h('label', { for: 'cat-color' }, 'Colour'), color,
    h('label', { for: 'cat-shortcut' }, 'Shortcut'), shortcut,
    h('label', { for: 'cat-description' }, 'Description'), description,
    h('button', { type: 'submit', class: 'primary' }, 'Add category'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    create({ name: name.value.trim(), class_id: Number(classId.value), color: color.value, shortcut: shortcut.value.trim(), description: description.value.trim() });
    form.reset();
  });
  return form;
}
