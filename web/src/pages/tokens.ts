import { createToken, listTokens, revokeToken, tokenState, type Token } from '../api/tokens';
import type { AppContext, Page } from '../app';
import { h, replaceChildren } from '../dom';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

/**
 * tokensPage manages the signed-in user's personal access tokens for
 * scripts and ML pipelines. A new token's secret is shown once: the server
 * keeps only its hash.
 */
export function tokensPage(ctx: AppContext): Page {
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  const secret = h('div');
  const list = h('div', null, statusBox('Loading tokens…'));
  const abort = new AbortController();
  const fail = (err: unknown): void => {
    if (!isAbort(err)) replaceChildren(messages, alertBox(errorText(err)));
  };
  const reload = (): void => {
    listTokens(ctx.api, abort.signal).then((ts) => replaceChildren(list, tokenTable(ts, (t) => {
      replaceChildren(messages);
      revokeToken(ctx.api, t.id).then(reload, fail);
    })), fail);
  };
  const element = h(
    'section',
    { class: 'tokens-page' },
    pageHeading('Access tokens'),
    h('p', null, 'Tokens let scripts use the API as you (header ', h('code', null, 'Authorization: Bearer …'), '). A read-only token cannot change anything.'),
    messages,
    tokenForm((in_) => {
      replaceChildren(messages);
      replaceChildren(secret);
      createToken(ctx.api, in_).then((t) => {
        replaceChildren(secret, secretBox(t));
        reload();
      }, fail);
    }),
    secret,
    h('h2', null, 'Your tokens'),
    list,
  );
  reload();
  return { title: 'Access tokens', element, dispose: () => abort.abort() };
}

function secretBox(t: Token): HTMLElement {
  const value = h('input', { id: 'new-token', readonly: true, value: t.token ?? '', size: 60, spellcheck: 'false' });
  value.addEventListener('focus', () => value.select());
  return h(
    'div',
    { class: 'token-secret', role: 'status' },
    h('label', { for: 'new-token' }, `Token "${t.name}": copy it now, it will not be shown again`),
    value,
  );
}

function tokenForm(create: (in_: { name: string; expires_in_days: number; read_only: boolean }) => void): HTMLElement {
  const name = h('input', { id: 'token-name', required: true, maxlength: 128, autocomplete: 'off' });
  const days = h('input', { id: 'token-days', type: 'number', min: 1, max: 365, value: 90, required: true });
  const readOnly = h('input', { id: 'token-readonly', type: 'checkbox' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Create a token' },
    h('label', { for: 'token-name' }, 'Token name'), name,
    h('label', { for: 'token-days' }, 'Expires in (days)'), days,
    h('span', { class: 'check' }, readOnly, h('label', { for: 'token-readonly' }, 'Read-only')),
    h('button', { type: 'submit', class: 'primary' }, 'Create token'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    create({ name: name.value.trim(), expires_in_days: Number(days.value), read_only: readOnly.checked });
    form.reset();
  });
  return form;
}

function tokenTable(ts: readonly Token[], revoke: (t: Token) => void): HTMLElement {
  if (ts.length === 0) return h('p', { class: 'status' }, 'No tokens yet.');
  const now = new Date();
  const when = (s: string | null): string => (s === null ? 'never' : new Date(s).toLocaleString());
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Tokens' },
    h('thead', null, h('tr', null, ...['Name', 'Access', 'Created', 'Expires', 'Last used', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...ts.map((t) => {
      const state = tokenState(t, now);
      return h(
        'tr',
        { class: state === 'active' ? '' : 'archived', 'data-token': String(t.id) },
        h('td', null, t.name),
        h('td', null, t.read_only ? 'read-only' : 'read and write'),
        h('td', null, when(t.created_at)),
        h('td', null, when(t.expires_at)),
        h('td', null, when(t.last_used_at)),
        h('td', null, state),
        h('td', null, state === 'active' && h('button', { type: 'button', onclick: () => revoke(t), 'aria-label': `Revoke ${t.name}` }, 'Revoke')),
      );
    })),
  );
}
