// A small history router: path patterns with :params, a pluggable location
// (the browser's, or an in-memory one for tests and embedding).

export type Params = Readonly<Record<string, string>>;

export interface Route<T> {
  readonly pattern: string;
  readonly value: T;
}

export interface Match<T> {
  readonly route: Route<T>;
  readonly params: Params;
  readonly path: string;
  readonly query: URLSearchParams;
}

/** matchPath matches "/projects/:id" against a path; segments are decoded, a trailing slash ignored. */
export function matchPath(pattern: string, path: string): Params | null {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      const value = safeDecode(g);
      if (value === null || value === '') return null;
      params[w.slice(1)] = value;
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** matchRoute returns the first route whose pattern matches the location (path plus ?query). */
export function matchRoute<T>(routes: readonly Route<T>[], location: string): Match<T> | null {
  const [path = '/', search = ''] = splitLocation(location);
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (params !== null) return { route, params, path, query: new URLSearchParams(search) };
  }
  return null;
}

function splitLocation(location: string): [string, string] {
  const noHash = location.split('#', 1)[0] ?? '';
  const q = noHash.indexOf('?');
  return q < 0 ? [noHash, ''] : [noHash.slice(0, q), noHash.slice(q + 1)];
}

/** Locator abstracts where the current location lives and how it changes. */
export interface Locator {
  current(): string;
  push(location: string): void;
  replace(location: string): void;
  /** listen reports changes made outside push/replace (back/forward buttons). */
  listen(fn: () => void): () => void;
}

export function browserLocator(win: Window): Locator {
  return {
    current: () => win.location.pathname + win.location.search,
    push: (loc) => win.history.pushState(null, '', loc),
    replace: (loc) => win.history.replaceState(null, '', loc),
    listen: (fn) => {
      win.addEventListener('popstate', fn);
      return () => win.removeEventListener('popstate', fn);
    },
  };
}

export function memoryLocator(initial = '/'): Locator & { readonly history: readonly string[]; back(): void } {
  const entries = [initial];
  const listeners = new Set<() => void>();
  return {
    history: entries,
    current: () => entries[entries.length - 1] ?? '/',
    push: (loc) => void entries.push(loc),
    replace: (loc) => void entries.splice(entries.length - 1, 1, loc),
    listen: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    back: () => {
      if (entries.length > 1) entries.pop();
      for (const fn of listeners) fn();
    },
  };
}

export type RouteHandler<T> = (match: Match<T> | null) => void;

/** Router resolves the location against its routes and calls the handler on every change. */
export class Router<T> {
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly routes: readonly Route<T>[],
    private readonly locator: Locator,
    private readonly handler: RouteHandler<T>,
  ) {}

  start(): void {
    this.unlisten = this.locator.listen(() => this.resolve());
    this.resolve();
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = undefined;
  }

  navigate(location: string, opts: { replace?: boolean } = {}): void {
    if (opts.replace === true) this.locator.replace(location);
    else if (location !== this.locator.current()) this.locator.push(location);
    this.resolve();
  }

  current(): string {
    return this.locator.current();
  }

  private resolve(): void {
    this.handler(matchRoute(this.routes, this.locator.current()));
  }
}

/**
 * interceptLinks turns clicks on same-origin <a href> into router navigations,
 * leaving modified clicks (new tab, download) and external links to the browser.
 */
export function interceptLinks(root: HTMLElement, navigate: (loc: string) => void): () => void {
  const onClick = (ev: MouseEvent): void => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element | null)?.closest('a');
    if (a === null || a === undefined || a.target !== '' || a.hasAttribute('download')) return;
    // In-page anchors (the skip link) move focus; they are not navigations.
    if (a.getAttribute('href')?.startsWith('#') === true) return;
    // rel="external" marks same-origin links served by the backend (the SSO redirect).
    if (a.relList.contains('external')) return;
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
