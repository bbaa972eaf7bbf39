import type { AppContext, Page } from '../app';
import { h, replaceChildren } from '../dom';
import { listItems } from '../api/list';
import { AuditPanel } from './audit';
import { SSOPanel } from './ssoadmin';
import { actionsHeading, alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  email: string;
  system_role: string;
  disabled: boolean;
  sso?: boolean;
  origin?: 'local' | 'sso';
}

interface UserActions {
  toggle(u: UserRow): void;
  resetPassword(u: UserRow): void;
}

/**
 * adminPage is for system administrators: accounts (create, disable,
 * enable, reset a password) and the audit log with filters and paging.
 */
export function adminPage(ctx: AppContext): Page {
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  const users = h('div', null, statusBox('Loading users…'));
  const reset = h('div');
  const abort = new AbortController();
  const fail = (err: unknown): void => {
    if (!isAbort(err)) replaceChildren(messages, alertBox(errorText(err)));
  };
  const audit = new AuditPanel(ctx, abort.signal, fail);
  const sso = new SSOPanel(ctx, abort.signal, fail, () => audit.load());
  const act = (p: Promise<unknown>, done: () => void = reload): void => {
    replaceChildren(messages);
    p.then(done, fail);
  };
  const actions: UserActions = {
    toggle: (u) => act(ctx.api.patch(`/api/v1/users/${u.id}`, { disabled: !u.disabled })),
    resetPassword: (u) => replaceChildren(reset, passwordForm(u, (password) => act(ctx.api.patch(`/api/v1/users/${u.id}`, { password }), () => {
      replaceChildren(reset);
      replaceChildren(messages, statusBox(`The password of ${u.username} was reset; their sessions were ended.`));
      audit.load();
    }))),
  };
  function reload(): void {
    ctx.api.get<unknown>('/api/v1/users', { signal: abort.signal }).then((body) => {
      const rows = listItems<UserRow>(body, 'users');
      replaceChildren(users, userTable(rows, actions));
      audit.setActors(rows);
    }, fail);
    audit.load();
  }
  const element = h(
    'section',
    { class: 'admin-page' },
    pageHeading('Administration'),
    messages,
    h('h2', null, 'Users'),
    users,
    reset,
    userForm((body) => act(ctx.api.post('/api/v1/users', body))),
    h('h2', null, 'Single sign-on'),
    sso.element,
    h('h2', null, 'Audit log'),
    audit.element,
  );
  reload();
  sso.load();
  return { title: 'Administration', element, dispose: () => abort.abort() };
}

function userTable(us: readonly UserRow[], act: UserActions): HTMLElement {
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Users' },
    h('thead', null, h('tr', null, ...['Username', 'Name', 'E-mail', 'Origin', 'Role', 'State', ''].map((t) => h('th', { scope: 'col' }, t || actionsHeading())))),
    h('tbody', null, ...us.map((u) => h(
      'tr',
      { class: u.disabled ? 'archived' : '' },
      h('td', null, u.username),
      h('td', null, u.display_name),
      h('td', null, u.email),
      h('td', null, u.origin === 'sso' || u.sso === true ? 'single sign-on' : 'local'),
      h('td', null, u.system_role),
      h('td', null, u.disabled ? 'disabled' : 'active'),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', onclick: () => act.toggle(u), 'aria-label': `${u.disabled ? 'Enable' : 'Disable'} ${u.username}` }, u.disabled ? 'Enable' : 'Disable'),
        // Single sign-on accounts have no password here to reset.
        u.sso !== true && h('button', { type: 'button', onclick: () => act.resetPassword(u), 'aria-label': `Reset password of ${u.username}` }, 'Reset password')),
    ))),
  );
}

function passwordForm(u: UserRow, set: (password: string) => void): HTMLElement {
  const id = `reset-${u.id}`;
  const password = h('input', { id, type: 'password', required: true, minlength: 10, maxlength: 256, autocomplete: 'new-password' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': `Reset the password of ${u.username}` },
    h('label', { for: id }, `New password for ${u.username}`), password,
    h('button', { type: 'submit', class: 'primary' }, 'Set password'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    set(password.value);
  });
  queueMicrotask(() => password.focus());
  return form;
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
