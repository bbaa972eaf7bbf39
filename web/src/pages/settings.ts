import { listMembers, type Member } from '../api/members';
import { listCategories } from '../api/projects';
import type { Category } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

const roles = ['manager', 'annotator', 'reviewer', 'viewer'] as const;

/**
 * settingsPage is a project's management: its categories (name, class id
 * used in exports, colour, keyboard shortcut; archived rather than deleted)
 * and its members with their roles. The server decides who may change what.
 */
export function settingsPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const base = `/api/v1/projects/${encodeURIComponent(projectId)}`;
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  const cats = h('div', null, statusBox('Loading categories…'));
  const members = h('div', null, statusBox('Loading members…'));
  const abort = new AbortController();
  const fail = (err: unknown): void => {
    if (!isAbort(err)) replaceChildren(messages, alertBox(errorText(err)));
  };
  const act = (p: Promise<unknown>): void => {
    replaceChildren(messages);
    p.then(reload, fail);
  };
  const reload = (): void => {
    listCategories(ctx.api, projectId, abort.signal).then((cs) => replaceChildren(cats, categoryTable(cs, (c) => act(ctx.api.delete(`${base}/categories/${c.id}`)))), fail);
    listMembers(ctx.api, projectId, abort.signal).then(
      (ms) => replaceChildren(members, memberTable(ms, {
        role: (m, role) => act(ctx.api.patch(`${base}/members/${m.user_id}`, { role })),
        remove: (m) => act(ctx.api.delete(`${base}/members/${m.user_id}`)),
      })),
      fail,
    );
  };
  const element = h(
    'section',
    { class: 'settings-page' },
    h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: '/' }, 'Projects'), ' / ',
      h('a', { href: `/projects/${encodeURIComponent(projectId)}` }, 'Slides')),
    pageHeading('Project settings'),
    messages,
    h('h2', null, 'Categories'),
    cats,
    categoryForm((body) => act(ctx.api.post(`${base}/categories`, body))),
    h('h2', null, 'Members'),
    members,
    memberForm((body) => act(ctx.api.post(`${base}/members`, body))),
  );
  reload();
  return { title: 'Project settings', element, dispose: () => abort.abort() };
}

function categoryTable(cs: readonly Category[], archive: (c: Category) => void): HTMLElement {
  if (cs.length === 0) return h('p', { class: 'status' }, 'No categories yet.');
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Categories' },
    h('thead', null, h('tr', null, ...['Name', 'Class id', 'Colour', 'Shortcut', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...cs.map((c) => {
      const archived = (c as Category & { archived?: boolean }).archived === true;
      return h(
        'tr',
        { class: archived ? 'archived' : '' },
        h('td', null, h('span', { class: 'swatch', style: `background:${c.color}`, 'aria-hidden': 'true' }), ` ${c.name}${archived ? ' (archived)' : ''}`),
        h('td', null, String(c.class_id)),
        h('td', null, h('code', null, c.color)),
        h('td', null, c.shortcut !== undefined && c.shortcut !== '' ? h('kbd', null, c.shortcut) : ''),
        h('td', null, archived ? '' : h('button', { type: 'button', onclick: () => archive(c), 'aria-label': `Remove ${c.name}`, title: 'Archived if marks use it, deleted otherwise' }, 'Remove')),
      );
    })),
  );
}

function categoryForm(create: (body: unknown) => void): HTMLElement {
  const name = h('input', { id: 'cat-name', required: true, maxlength: 100 });
  const classId = h('input', { id: 'cat-class', type: 'number', min: 1, max: 65535, required: true });
  const color = h('input', { id: 'cat-color', type: 'color', value: '#e6194b' });
  const shortcut = h('input', { id: 'cat-shortcut', maxlength: 1, size: 2 });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Add a category' },
    h('label', { for: 'cat-name' }, 'Name'), name,
    h('label', { for: 'cat-class' }, 'Class id'), classId,
    h('label', { for: 'cat-color' }, 'Colour'), color,
    h('label', { for: 'cat-shortcut' }, 'Shortcut'), shortcut,
    h('button', { type: 'submit', class: 'primary' }, 'Add category'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    create({ name: name.value.trim(), class_id: Number(classId.value), color: color.value, shortcut: shortcut.value.trim() });
    form.reset();
  });
  return form;
}

interface MemberActions {
  role(m: Member, role: string): void;
  remove(m: Member): void;
}

function memberTable(ms: readonly Member[], act: MemberActions): HTMLElement {
  if (ms.length === 0) return h('p', { class: 'status' }, 'No members yet.');
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Members' },
    h('thead', null, h('tr', null, ...['Name', 'Username', 'Role', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...ms.map((m) => {
      const select = roleSelect(`Role of ${m.username}`, m.role);
      select.addEventListener('change', () => act.role(m, select.value));
      return h(
        'tr',
        null,
        h('td', null, m.display_name ?? ''),
        h('td', null, m.username),
        h('td', null, select),
        h('td', null, h('button', { type: 'button', onclick: () => act.remove(m), 'aria-label': `Remove ${m.username}` }, 'Remove')),
      );
    })),
  );
}

function roleSelect(label: string, value: string): HTMLSelectElement {
  const s = h('select', { 'aria-label': label }, ...roles.map((r) => h('option', { value: r }, r)));
  s.value = value;
  return s;
}

function memberForm(add: (body: unknown) => void): HTMLElement {
  const username = h('input', { id: 'member-username', required: true, autocomplete: 'off' });
  const role = roleSelect('Role', 'annotator');
  role.id = 'member-role';
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Add a member' },
    h('label', { for: 'member-username' }, 'Username'), username,
    h('label', { for: 'member-role' }, 'Role'), role,
    h('button', { type: 'submit', class: 'primary' }, 'Add member'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    add({ username: username.value.trim(), role: role.value });
    form.reset();
  });
  return form;
}
