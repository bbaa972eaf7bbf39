import type { Member } from '../api/members';
import { h, replaceChildren } from '../dom';

/**
 * AnnotatorFilter lists who made the marks on this slide, each with a
 * visibility switch and a count, so a reviewer can compare annotators.
 */
export class AnnotatorFilter {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly hidden = new Set<string>();
  private readonly names = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  // Never a real key, so the first update always renders.
  private shown = '\u0000';

  constructor(
    private readonly me: string,
    myName: string,
    /** prefix keeps ids apart when two filters share a page (side by side). */
    private readonly prefix = '',
  ) {
    this.names.set(me, myName);
    this.list = h('div', { class: 'annotator-list' });
    this.element = h('fieldset', { class: 'annotators' }, h('legend', null, 'Annotators'), this.list);
  }

  setMembers(members: readonly Member[]): void {
    for (const m of members) {
      const name = m.display_name?.trim();
      this.names.set(String(m.user_id), name !== undefined && name !== '' ? name : m.username);
    }
    this.shown = '\u0000';
  }

  /** isVisible answers for an author id; unsaved marks (no author yet) are the user's own. */
  isVisible(author: string | undefined): boolean {
    return !this.hidden.has(author ?? this.me);
  }

  get filtering(): boolean {
    return this.hidden.size > 0;
  }

  /** visibleAuthors picks the authors shown out of all, or null when nobody is hidden. */
  visibleAuthors(all: Iterable<string>): string[] | null {
    if (!this.filtering) return null;
    return [...all].filter((a) => !this.hidden.has(a));
  }

  /** nameOf answers a user's display name, "(you)" for the signed-in user. */
  nameOf(author: string): string {
    return this.name(author);
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** update shows the authors of the current marks with their counts. */
  update(counts: ReadonlyMap<string, number>): void {
    const authors = [...counts.keys()].sort((a, b) => (a === this.me ? -1 : b === this.me ? 1 : this.name(a).localeCompare(this.name(b))));
    const key = authors.map((a) => `${a}:${counts.get(a)}`).join(',');
    if (key === this.shown) return;
    this.shown = key;
    if (authors.length === 0) return replaceChildren(this.list, h('p', { class: 'status' }, 'No marks yet.'));
    replaceChildren(this.list, ...authors.map((a) => this.row(a, counts.get(a) ?? 0)));
  }

  private name(author: string): string {
    const n = this.names.get(author) ?? `User ${author}`;
    return author === this.me ? `${n} (you)` : n;
  }

  private row(author: string, count: number): HTMLElement {
    const id = `${this.prefix}annotator-${author}`;
    return h(
      'div',
      { class: 'annotator-row' },
      h('input', {
        type: 'checkbox',
        id,
        checked: !this.hidden.has(author),
        onchange: (ev: Event) => this.toggle(author, (ev.target as HTMLInputElement).checked),
      }),
      h('label', { for: id }, this.name(author)),
      h('span', { class: 'count' }, String(count)),
    );
  }

  private toggle(author: string, visible: boolean): void {
    if (visible) this.hidden.delete(author);
    else this.hidden.add(author);
    for (const fn of this.listeners) fn();
  }
}
