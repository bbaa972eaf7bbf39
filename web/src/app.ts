import type { ApiClient } from './api/client';
import type { Params } from './router';
import type { Session } from './session';

/** AppContext is what every page gets: no globals. */
export interface AppContext {
  readonly api: ApiClient;
  readonly session: Session;
  navigate(location: string, opts?: { replace?: boolean }): void;
}

/** Page is a mounted screen; dispose releases what it holds (viewers, timers, requests). */
export interface Page {
  readonly title: string;
  readonly element: HTMLElement;
  dispose?(): void;
}

export interface PageRequest {
  readonly params: Params;
  readonly query: URLSearchParams;
}

export type PageFactory = (ctx: AppContext, req: PageRequest) => Page;

export interface RouteSpec {
  readonly page: PageFactory;
  /** public routes are reachable without a session. */
  readonly public?: boolean;
  /** chrome false hides the header (the login page). */
  readonly chrome?: boolean;
}

/** loginLocation builds the login URL that brings the user back to where they were. */
export function loginLocation(current: string): string {
  if (current === '/' || current.startsWith('/login')) return '/login';
  return `/login?next=${encodeURIComponent(current)}`;
}

/** safeNext accepts only same-site paths, so a crafted ?next= cannot send users elsewhere. */
export function safeNext(next: string | null): string {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
