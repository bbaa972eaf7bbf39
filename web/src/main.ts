import './style.css';
import { me } from './api/auth';
import { ApiClient } from './api/client';
import { ApiError } from './api/error';
import { loginLocation, safeNext, type AppContext, type RouteSpec } from './app';
import { interceptLinks, Router, browserLocator, type Match, type Route } from './router';
import { Session } from './session';
import { Shell } from './shell';
import { loginPage } from './pages/login';
import { projectsPage } from './pages/projects';
import { slidesPage } from './pages/slides';
import { viewerPage } from './pages/viewer';
import { settingsPage } from './pages/settings';
import { exportsPage } from './pages/exports';
import { agreementPage } from './pages/agreement';
import { adminPage } from './pages/admin';
import { pairPage } from './pages/pair';
import { tokensPage } from './pages/tokens';
import { notFoundPage } from './pages/notfound';
import { ReauthDialog } from './pages/reauth';
import { alertBox, errorText } from './pages/common';

const routes: Route<RouteSpec>[] = [
  { pattern: '/login', value: { page: loginPage, public: true, chrome: false } },
  { pattern: '/', value: { page: projectsPage } },
  { pattern: '/projects/:projectId', value: { page: slidesPage } },
  { pattern: '/projects/:projectId/slides/:slideId', value: { page: viewerPage } },
  { pattern: '/projects/:projectId/settings', value: { page: settingsPage } },
  { pattern: '/projects/:projectId/exports', value: { page: exportsPage } },
  { pattern: '/projects/:projectId/agreement', value: { page: agreementPage } },
  { pattern: '/admin', value: { page: adminPage } },
  { pattern: '/tokens', value: { page: tokensPage } },
  { pattern: '/projects/:projectId/pair/:a/:b', value: { page: pairPage } },
];

async function start(root: HTMLElement): Promise<void> {
  const session = new Session();
  let router: Router<RouteSpec> | null = null;
  const navigate = (loc: string, opts: { replace?: boolean } = {}): void => router?.navigate(loc, opts);
  let reauth: ReauthDialog | null = null;
  const api = new ApiClient({
    csrfToken: () => session.csrfToken,
    onUnauthorized: () => {
      // A session that ends under a signed-in page is renewed over it: the view and the unsent marks stay.
      if (session.signedIn && reauth !== null) return reauth.open();
      session.clear();
      navigate(loginLocation(router?.current() ?? '/'), { replace: true });
    },
  });
  reauth = new ReauthDialog(api, session);
  const ctx: AppContext = { api, session, navigate };
  const shell = new Shell(ctx);
  root.replaceChildren(shell.element);

  router = new Router(routes, browserLocator(window), (match) => show(ctx, shell, match));
  interceptLinks(root, (loc) => navigate(loc));
  await restoreSession(ctx, root);
  router.start();
}

/** restoreSession asks the server whether the session cookie is still good. */
async function restoreSession(ctx: AppContext, root: HTMLElement): Promise<void> {
  try {
    ctx.session.set(await me(ctx.api));
  } catch (err) {
    if (err instanceof ApiError && err.code === 'unauthorized') return;
    root.prepend(alertBox(errorText(err)));
  }
}

function show(ctx: AppContext, shell: Shell, match: Match<RouteSpec> | null): void {
  if (match === null) return shell.mount(notFoundPage(), ctx.session.signedIn);
  const spec = match.route.value;
  const here = match.path + (match.query.size > 0 ? `?${match.query.toString()}` : '');
  if (spec.public !== true && !ctx.session.signedIn) return ctx.navigate(loginLocation(here), { replace: true });
  if (match.route.pattern === '/login' && ctx.session.signedIn) {
    return ctx.navigate(safeNext(match.query.get('next')), { replace: true });
  }
  shell.mount(spec.page(ctx, { params: match.params, query: match.query }), spec.chrome !== false);
}

const root = document.getElementById('app');
if (root !== null) void start(root);
