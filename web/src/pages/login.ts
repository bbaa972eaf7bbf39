import { login, ssoInfo } from '../api/auth';
import { safeNext, type AppContext, type Page, type PageRequest } from '../app';
import { h, replaceChildren } from '../dom';
import { alertBox, errorText, pageHeading } from './common';

export function loginPage(ctx: AppContext, req: PageRequest): Page {
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });

  const onSubmit = async (ev: SubmitEvent): Promise<void> => {
    ev.preventDefault();
    submit.disabled = true;
    replaceChildren(messages);
    try {
      ctx.session.set(await login(ctx.api, username.value.trim(), password.value));
      ctx.navigate(safeNext(req.query.get('next')), { replace: true });
    } catch (err) {
      password.value = '';
      replaceChildren(messages, alertBox(errorText(err)));
      password.focus();
    } finally {
      submit.disabled = false;
    }
  };

  const form = h(
    'form',
    { class: 'login-form', 'aria-labelledby': 'login-title', onsubmit: (ev: SubmitEvent) => void onSubmit(ev) },
    h('label', { for: 'login-username' }, 'Username'),
    username,
    h('label', { for: 'login-password' }, 'Password'),
    password,
    messages,
    submit,
  );
  const title = pageHeading('Sign in to Patholabel');
  title.id = 'login-title';
  const sso = h('div', { class: 'sso' });
  const element = h('section', { class: 'login-page' }, h('div', { class: 'login-card' }, title, sso, form));
  const abort = new AbortController();
  // The server sends a refused single sign-on back here with its reason.
  const ssoError = req.query.get('sso_error');
  if (ssoError !== null && ssoError !== '') replaceChildren(messages, alertBox(`Single sign-on: ${ssoError}`));
  showSSO(ctx, sso, safeNext(req.query.get('next')), abort.signal);
  queueMicrotask(() => username.focus());
  return { title: 'Sign in', element, dispose: () => abort.abort() };
}

/** showSSO adds the single sign-on button when the server has it configured. */
function showSSO(ctx: AppContext, slot: HTMLElement, next: string, signal: AbortSignal): void {
  ssoInfo(ctx.api, signal).then(
    (info) => {
      if (!info.enabled || info.login_url === undefined) return;
      const href = `${info.login_url}?return_to=${encodeURIComponent(next)}`;
      replaceChildren(
        slot,
        h('a', { href, rel: 'external', class: 'button primary sso-button' }, 'Sign in with single sign-on'),
        h('p', { class: 'divider' }, info.local_passwords === false ? 'or, for break-glass accounts only, with a password' : 'or with a Patholabel account'),
      );
    },
    // Without SSO information the password form still works; nothing to tell the user.
    () => undefined,
  );
}
