import { ApiError } from '../api/error';
import { h } from '../dom';

/** errorText says what went wrong in words a user can act on. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

export function alertBox(message: string): HTMLElement {
  return h('p', { class: 'alert', role: 'alert' }, message);
}

export function statusBox(message: string): HTMLElement {
  return h('p', { class: 'status', role: 'status' }, message);
}

/** pageHeading is focusable so navigation can move focus to it for screen-reader users. */
export function pageHeading(text: string): HTMLHeadingElement {
  return h('h1', { tabindex: -1, class: 'page-title' }, text);
}

/** actionsHeading names a table's column of row buttons for screen readers; sighted users see the buttons. */
export function actionsHeading(): HTMLElement {
  return h('span', { class: 'visually-hidden' }, 'Actions');
}
