import { login } from '../api/auth';
import type { ApiClient } from '../api/client';
import { h, replaceChildren } from '../dom';
import type { Session } from '../session';
import { alertBox, errorText } from './common';

/** signedInAgain is the window event pages listen to: send what waited, reload what failed. */
export const signedInAgain = 'patholabel:signed-in-again';

/**
 * ReauthDialog signs the user in again over the page when the session ends
 * (idle timeout, maximum age, a restart of the auth service), instead of
 * leaving for the login page: the slide stays where it was, and the marks
 * made meanwhile, kept in the browser's outbox, go once the user is back.
 */
export class ReauthDialog {
  readonly element: HTMLDialogElement;
  private readonly username: HTMLInputElement;
  private readonly password: HTMLInputElement;
  private readonly messages: HTMLElement;
  private readonly submit: HTMLButtonElement;

  constructor(
    private readonly api: ApiClient,
    private readonly session: Session,
  ) {
    this.username = h('input', { id: 'reauth-username', name: 'username', autocomplete: 'username', required: true });
    this.password = h('input', { id: 'reauth-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    this.messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
    this.submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const form = h(
      'form',
      { class: 'login-form', onsubmit: (ev: SubmitEvent) => void this.signIn(ev) },
      h('label', { for: 'reauth-username' }, 'Username'),
      this.username,
      h('label', { for: 'reauth-password' }, 'Password'),
      this.password,
      this.messages,
      this.submit,
    );
    this.element = h(
      'dialog',
      { class: 'reauth-dialog', 'aria-labelledby': 'reauth-title', 'aria-describedby': 'reauth-why' },
      h('h2', { id: 'reauth-title' }, 'Your session has ended'),
      h('p', { id: 'reauth-why' }, 'Sign in again to go on. Your marks are kept in this browser and will be saved once you are signed in; the slide stays where it is.'),
      form,
    );
    // The dialog stays until the user is signed in again: Escape would leave a page that cannot save.
    this.element.addEventListener('cancel', (ev) => ev.preventDefault());
  }

  /** open shows the dialog (once, however many requests met the ended session). */
  open(): void {
    if (this.element.open) return;
    if (this.element.parentElement === null) document.body.appendChild(this.element);
    const user = this.session.user;
    this.username.value = user?.username ?? '';
    this.password.value = '';
    replaceChildren(this.messages);
    this.element.showModal();
    (this.username.value === '' ? this.username : this.password).focus();
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  private async signIn(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    this.submit.disabled = true;
    replaceChildren(this.messages);
    try {
      this.session.set(await login(this.api, this.username.value.trim(), this.password.value));
      this.element.close();
      window.dispatchEvent(new Event(signedInAgain));
    } catch (err) {
      this.password.value = '';
      replaceChildren(this.messages, alertBox(errorText(err)));
      this.password.focus();
    } finally {
      this.submit.disabled = false;
    }
  }
}
