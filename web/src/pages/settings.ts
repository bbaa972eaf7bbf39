import { listMembers, type Member } from '../api/members';
import { getProject, listCategories, patchCategory, setBlind } from '../api/projects';
import type { Category } from '../api/types';
import type { AppContext, Page, PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { assignmentPanel } from './assignment';
import { categoryForm, categoryTable } from './categories';
import { actionsHeading, alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

/** Roles from the least privileged up; a new member gets the first unless someone picks another. */
const roles = ['viewer', 'annotator', 'reviewer', 'manager', 'model'] as const;
const leastRole = roles[0];

/**
 * settingsPage is a project's management: its categories (name, class id
 * used in exports, colour, keyboard shortcut, order, description; archived
 * rather than deleted when marks use them), its members with their roles,
 * and which categories each annotator may use. The server decides who may
 * change what.
 */
export function settingsPage(ctx: AppContext, req: PageRequest): Page {
  const projectId = req.params['projectId'] ?? '';
  const base = `/api/v1/projects/${encodeURIComponent(projectId)}`;
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  const cats = h('div', null, statusBox('Loading categories…'));
  const members = h('div', null, statusBox('Loading members…'));
  const assignment = h('div');
  const blinding = blindingField(ctx, projectId, (p) => act(p));
  const abort = new AbortController();
  let categories: Category[] = [];
  const fail = (err: unknown): void => {
    if (!isAbort(err)) replaceChildren(messages, alertBox(errorText(err)));
  };
  const act = (p: Promise<unknown>): Promise<boolean> => {
    replaceChildren(messages);
    return p.then(
      () => {
        reload();
        return true;
      },
      (err: unknown) => {
        fail(err);
        return false;
      },
    );
  };
  const reload = (): void => {
    listCategories(ctx.api, projectId, abort.signal, { archived: true }).then((cs) => {
      categories = cs;
      replaceChildren(cats, categoryTable(cs, {
        save: (c, patch) => void act(patchCategory(ctx.api, projectId, c.id, patch)),
        remove: (c) => void act(ctx.api.delete(`${base}/categories/${c.id}`)),
        restore: (c) => void act(patchCategory(ctx.api, projectId, c.id, { archived: false })),
      }));
    }, fail);
    listMembers(ctx.api, projectId, abort.signal).then(
      (ms) => replaceChildren(members, memberTable(ms, {
        role: (m, role) => void act(ctx.api.patch(`${base}/members/${m.user_id}`, { role })),
        remove: (m) => void act(ctx.api.delete(`${base}/members/${m.user_id}`)),
        categories: (m) => replaceChildren(assignment, assignmentPanel(ctx, projectId, m, categories, fail)),
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
    categoryForm((body) => void act(ctx.api.post(`${base}/categories`, body))),
    h('h2', null, 'Members'),
    blinding,
    members,
    memberForm((body) => act(ctx.api.post(`${base}/members`, body))),
    assignment,
  );
  reload();
  return { title: 'Project settings', element, dispose: () => abort.abort() };
}

interface MemberActions {
  role(m: Member, role: string): void;
  remove(m: Member): void;
  categories(m: Member): void;
}

function memberTable(ms: readonly Member[], act: MemberActions): HTMLElement {
  if (ms.length === 0) return h('p', { class: 'status' }, 'No members yet.');
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Members' },
    h('thead', null, h('tr', null, ...['Name', 'Username', 'Role', ''].map((t) => h('th', { scope: 'col' }, t || actionsHeading())))),
    h('tbody', null, ...ms.map((m) => {
      const select = roleSelect(`Role of ${m.username}`, m.role);
      select.addEventListener('change', () => act.role(m, select.value));
      return h(
        'tr',
        null,
        h('td', null, m.display_name ?? ''),
        h('td', null, m.username),
        h('td', null, select),
        h('td', { class: 'row-actions' },
          // Only annotators are limited by an assignment; other roles see every category.
          m.role === 'annotator' && h('button', { type: 'button', onclick: () => act.categories(m), 'aria-label': `Categories of ${m.username}` }, 'Categories'),
          h('button', { type: 'button', onclick: () => act.remove(m), 'aria-label': `Remove ${m.username}` }, 'Remove')),
      );
    })),
  );
}

/**
 * roleSelect marks value as the default option too (the selected attribute,
 * not only the current value): a form reset goes back to it, never to
 * whichever role happens to be listed first.
 */
function roleSelect(label: string, value: string): HTMLSelectElement {
  return h('select', { 'aria-label': label }, ...roles.map((r) => h('option', { value: r, selected: r === value }, r)));
}

function memberForm(add: (body: unknown) => Promise<boolean>): HTMLElement {
  const username = h('input', { id: 'member-username', required: true, autocomplete: 'off' });
  const role = roleSelect('Role', leastRole);
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
    // Each add starts from the least privileged role; a refused add keeps what was typed.
    void add({ username: username.value.trim(), role: role.value }).then((ok) => {
      if (ok) form.reset();
    });
  });
  return form;
}

/**
 * blindingField is the project's "annotators see only their own marks"
 * switch: for reader studies, where seeing another reader's marks biases
 * the next. The annotation service enforces it; managers and reviewers
 * still see everyone's marks.
 */
function blindingField(ctx: AppContext, projectId: string, act: (p: Promise<unknown>) => Promise<boolean>): HTMLElement {
  const box = h('input', { id: 'project-blind', type: 'checkbox', disabled: true });
  getProject(ctx.api, projectId).then(
    (p) => {
      box.checked = p.blind_annotators === true;
      box.disabled = false;
    },
    () => undefined,
  );
  box.addEventListener('change', () => {
    const want = box.checked;
    box.disabled = true;
    void act(setBlind(ctx.api, projectId, want)).then((ok) => {
      if (!ok) box.checked = !want;
      box.disabled = false;
    });
  });
  return h('p', { class: 'field-inline' }, box, ' ',
    h('label', { for: 'project-blind' }, 'Annotators see only their own marks (managers and reviewers still see all)'));
}
