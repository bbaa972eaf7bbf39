import { h } from '../dom';

/** How many messages float at once: older ones make room, so they never cover the slide. */
const maxShown = 4;

/**
 * Notices are the viewer's messages. They float over the top of the slide
 * (the slide never moves, so a click mid-drawing lands where it was aimed),
 * each can be closed, and the same message again counts up instead of
 * stacking a second copy.
 */
export class Notices {
  readonly element: HTMLElement;
  private readonly shown = new Map<string, { box: HTMLElement; times: number; count: HTMLElement }>();

  constructor() {
    this.element = h('div', { class: 'viewer-messages', 'aria-live': 'polite' });
  }

  /** error shows a problem (role alert); the same text again only bumps its count. */
  error(message: string): void {
    this.add(message, 'alert');
  }

  /** status shows progress; the caller removes it through the answered function. */
  status(message: string): () => void {
    return this.add(message, 'status');
  }

  private add(message: string, role: 'alert' | 'status'): () => void {
    const seen = this.shown.get(message);
    if (seen !== undefined) {
      seen.times++;
      seen.count.textContent = `×${seen.times}`;
      return () => this.close(message);
    }
    const count = h('span', { class: 'notice-count' });
    const box = h(
      'div',
      { class: `notice ${role === 'alert' ? 'alert' : 'status'}`, role },
      h('span', { class: 'notice-text' }, message),
      count,
      h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss message', title: 'Dismiss', onclick: () => this.close(message) }, '×'),
    );
    this.shown.set(message, { box, times: 1, count });
    this.element.appendChild(box);
    while (this.shown.size > maxShown) this.close(this.shown.keys().next().value as string);
    return () => this.close(message);
  }

  private close(message: string): void {
    this.shown.get(message)?.box.remove();
    this.shown.delete(message);
  }
}
