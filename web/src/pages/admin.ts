import type { AppContext, Page } from '../app';
import { h, replaceChildren } from '../dom';
import { listItems } from '../api/list';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  email: string;
  system_role: string;
  disabled: boolean;
}

interface AuditEntry {
  id: number;
  at: string;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string;
  client_ip: string;
}

/** adminPage is for system administrators: accounts (create, disable, enable) and the audit log. */
export function adminPage(ctx: AppContext): Page {
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  const users = h('div', null, statusBox('Loading users…'));
  const audit = h('div', null, statusBox('Loading the audit log…'));
  const abort = new AbortController();
  const fail = (err: unknown): void => {
    if (!isAbort(err)) replaceChildren(messages, alertBox(errorText(err)));
  };
  const reload = (): void => {
    ctx.api.get<unknown>('/api/v1/users', { signal: abort.signal }).then(
      (body) => replaceChildren(users, userTable(listItems<UserRow>(body, 'users'), (u) => {
        replaceChildren(messages);
        ctx.api.patch(`/api/v1/users/${u.id}`, { disabled: !u.disabled }).then(reload, fail);
      })),
      fail,
    );
    ctx.api.get<{ entries?: AuditEntry[] }>('/api/v1/audit?limit=50', { signal: abort.signal }).then((page) => replaceChildren(audit, auditTable(page.entries ?? [])), fail);
  };
  const element = h(
    'section',
    { class: 'admin-page' },
    pageHeading('Administration'),
    messages,
    h('h2', null, 'Users'),
    users,
    userForm((body) => {
      replaceChildren(messages);
      ctx.api.post('/api/v1/users', body).then(reload, fail);
    }),
    h('h2', null, 'Audit log (latest 50)'),
    audit,
  );
  reload();
  return { title: 'Administration', element, dispose: () => abort.abort() };
}

function userTable(us: readonly UserRow[], toggle: (u: UserRow) => void): HTMLElement {
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Users' },
    h('thead', null, h('tr', null, ...['Username', 'Name', 'E-mail', 'Role', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...us.map((u) => h(
      'tr',
      { class: u.disabled ? 'archived' : '' },
      h('td', null, u.username),
      h('td', null, u.display_name),
      h('td', null, u.email),
      h('td', null, u.system_role),
      h('td', null, u.disabled ? 'disabled' : 'active'),
      h('td', null, h('button', { type: 'button', onclick: () => toggle(u), 'aria-label': `${u.disabled ? 'Enable' : 'Disable'} ${u.username}` }, u.disabled ? 'Enable' : 'Disable')),
    ))),
  );
}

function userForm(create: (body: unknown) => void): HTMLElement {
  const field = (id: string, label: string, attrs: Record<string, string | boolean> = {}): [HTMLLabelElement, HTMLInputElement] =>
    [h('label', { for: id }, label), h('input', { id, required: true, autocomplete: 'off', ...attrs })];
  const [lu, username] = field('new-username', 'Username');
  const [ld, display] = field('new-display', 'Display name');
  const [le, email] = field('new-email', 'E-mail', { type: 'email' });
  const [lp, password] = field('new-password', 'Password', { type: 'password', autocomplete: 'new-password' });
  const role = h('select', { id: 'new-role' }, h('option', { value: 'user' }, 'user'), h('option', { value: 'admin' }, 'admin'));
  const form = h('form', { class: 'inline-form', 'aria-label': 'Add a user' }, lu, username, ld, display, le, email, lp, password,
    h('label', { for: 'new-role' }, 'System role'), role, h('button', { type: 'submit', class: 'primary' }, 'Add user'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    create({ username: username.value.trim(), display_name: display.value.trim(), email: email.value.trim(), password: password.value, system_role: role.value });
    form.reset();
  });
  return form;
}

function auditTable(entries: readonly AuditEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'status' }, 'Nothing recorded yet.');
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Audit log' },
    h('thead', null, h('tr', null, ...['When', 'Who', 'Action', 'Target', 'From'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...entries.map((e) => h(
      'tr',
      null,
      h('td', null, new Date(e.at).toLocaleString()),
      h('td', null, e.actor_name),
      h('td', null, h('code', null, e.action)),
      h('td', null, `${e.target_type} ${e.target_id}`),
      h('td', null, e.client_ip),
    ))),
  );
}
