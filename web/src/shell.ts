import { logout } from './api/auth';
import type { AppContext, Page } from './app';
import { h, replaceChildren } from './dom';
import { displayName } from './session';

/**
 * Shell owns the page frame: the header with the signed-in user and the
 * <main> region that pages are mounted into, one at a time.
 */
export class Shell {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly main: HTMLElement;
  private readonly userSlot: HTMLElement;
  private page: Page | null = null;

  constructor(private readonly ctx: AppContext) {
    this.userSlot = h('div', { class: 'user-slot' });
    this.header = h(
      'header',
      { class: 'app-header' },
      h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'),
      h('a', { href: '/', class: 'brand' }, 'Patholabel'),
      this.userSlot,
    );
    this.main = h('main', { id: 'main', tabindex: -1 });
    this.element = h('div', { class: 'app' }, this.header, this.main);
    ctx.session.subscribe(() => this.renderUser());
    this.renderUser();
  }

  mount(page: Page, chrome: boolean): void {
    this.page?.dispose?.();
    this.page = page;
    this.header.hidden = !chrome;
    replaceChildren(this.main, page.element);
    document.title = `${page.title} · Patholabel`;
    // Move focus to the new page's heading so keyboard and screen-reader users start there.
    const heading = page.element.querySelector<HTMLElement>('h1[tabindex]');
    if (heading !== null && document.activeElement === document.body) heading.focus({ preventScroll: true });
  }

  private renderUser(): void {
    const user = this.ctx.session.user;
    if (user === null) return replaceChildren(this.userSlot);
    replaceChildren(
      this.userSlot,
      user.system_role === 'admin' && h('a', { href: '/admin', class: 'header-link' }, 'Administration'),
      h('a', { href: '/tokens', class: 'header-link' }, 'Access tokens'),
      h('span', { class: 'user-name', 'data-testid': 'user-name' }, displayName(user)),
      h('button', { type: 'button', class: 'link-button', onclick: () => void this.signOut() }, 'Sign out'),
    );
  }

  private async signOut(): Promise<void> {
    let endSession: string | undefined;
    try {
      endSession = (await logout(this.ctx.api))?.end_session_url;
    } catch {
      // The session is dropped locally either way; a failed call only means the cookie expires later.
    }
    this.ctx.session.clear();
    // A single sign-on session ends at the provider too, which sends the browser back here.
    if (endSession !== undefined) window.location.assign(endSession);
    else this.ctx.navigate('/login', { replace: true });
  }
}
