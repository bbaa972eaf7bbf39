import type { Category } from '../api/types';
import { h, replaceChildren } from '../dom';

/**
 * Palette is the category chooser: one radio per category (the active one
 * for new marks), a visibility switch, and the live count. Colours always
 * come with the name, so they are never the only cue.
 */
export class Palette {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private categories: Category[] = [];
  private readonly byKey = new Map<string, Category>();
  private readonly hidden = new Set<string>();
  private readonly radios = new Map<string, HTMLInputElement>();
  private readonly countEls = new Map<string, HTMLElement>();
  private active: string | null = null;
  private readonly listeners = new Set<() => void>();

  /** prefix keeps ids and the radio group apart when two palettes share a page (side by side). */
  constructor(private readonly prefix = '') {
    this.list = h('div', { class: 'palette-list' });
    this.element = h(
      'fieldset',
      { class: 'palette' },
      h('legend', null, 'Categories'),
      this.list,
    );
  }

  setCategories(categories: readonly Category[]): void {
    // Archived categories still colour the marks that use them, but take no new marks.
    this.categories = categories.filter((c) => c.archived !== true);
    this.byKey.clear();
    for (const c of categories) this.byKey.set(String(c.id), c);
    this.active = this.categories[0] === undefined ? null : String(this.categories[0].id);
    this.render();
  }

  byId(id: string): Category | undefined {
    return this.byKey.get(id);
  }

  /** idAt answers the id of the n-th category (0-based), the one key n+1 picks. */
  idAt(n: number): string | null {
    const c = this.categories[n];
    return c === undefined ? null : String(c.id);
  }

  /** order lists the category ids in palette order, archived ones last (they still colour old marks). */
  order(): string[] {
    const live = this.categories.map((c) => String(c.id));
    return [...live, ...[...this.byKey.keys()].filter((id) => !live.includes(id))];
  }

  activeId(): string | null {
    return this.active;
  }

  isVisible(c: Category): boolean {
    return !this.hidden.has(String(c.id));
  }

  /** selectIndex makes the n-th category (0-based) active; false when there is none. */
  selectIndex(n: number): boolean {
    const c = this.categories[n];
    if (c === undefined) return false;
    this.select(String(c.id));
    return true;
  }

  setCounts(counts: ReadonlyMap<string, number>): void {
    for (const [id, el] of this.countEls) el.textContent = String(counts.get(id) ?? 0);
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private select(id: string): void {
    this.active = id;
    const radio = this.radios.get(id);
    if (radio !== undefined) radio.checked = true;
    this.emit();
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  private render(): void {
    this.radios.clear();
    this.countEls.clear();
    if (this.categories.length === 0) {
      replaceChildren(this.list, h('p', { class: 'status' }, 'This project has no categories yet.'));
      return;
    }
    replaceChildren(this.list, ...this.categories.map((c, i) => this.row(c, i)));
  }

  private row(c: Category, i: number): HTMLElement {
    const id = String(c.id);
    const radioId = `${this.prefix}category-${id}`;
    const radio = h('input', {
      type: 'radio',
      name: `${this.prefix}category`,
      id: radioId,
      value: id,
      checked: id === this.active,
      onchange: () => this.select(id),
    });
    const show = h('input', {
      type: 'checkbox',
      checked: !this.hidden.has(id),
      'aria-label': `Show ${c.name}`,
      onchange: (ev: Event) => this.toggle(id, (ev.target as HTMLInputElement).checked),
    });
    const count = h('span', { class: 'count', 'aria-label': `${c.name} marks` }, '0');
    this.radios.set(id, radio);
    this.countEls.set(id, count);
    return h(
      'div',
      { class: 'palette-row' },
      radio,
      h(
        'label',
        { for: radioId },
        h('span', { class: 'swatch', style: `background:${c.color}`, 'aria-hidden': 'true' }),
        h('span', { class: 'name', title: c.name }, c.name),
        i < 9 && h('kbd', { 'aria-label': `shortcut ${i + 1}` }, String(i + 1)),
      ),
      count,
      show,
    );
  }

  private toggle(id: string, visible: boolean): void {
    if (visible) this.hidden.delete(id);
    else this.hidden.add(id);
    this.emit();
  }
}
