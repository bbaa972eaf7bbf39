import { h, replaceChildren } from '../dom';

/** What a ListDialog says above its rows and on its closing button. */
export interface ListDialogText {
  className: string;
  title: string;
  lead: string;
  close: string;
}

/**
 * A modal with one row per pending item (a conflict, a refused change)
 * that closes itself once none remain. Subclasses say which items and how
 * each row looks; opening, closing and redrawing are the same for all.
 */
export abstract class ListDialog<T> {
  readonly element: HTMLDialogElement;
  private readonly body: HTMLElement;

  protected constructor(text: ListDialogText) {
    this.body = h('div', { class: 'conflict-list' });
    this.element = h(
      'dialog',
      { class: text.className, 'aria-label': text.title },
      h('h2', null, text.title),
      h('p', null, text.lead),
      this.body,
      h('form', { method: 'dialog' }, h('button', { type: 'submit' }, text.close)),
    );
  }

  protected abstract items(): readonly T[];
  protected abstract row(item: T): HTMLElement;

  isOpen(): boolean {
    return this.element.open;
  }

  open(): void {
    this.render();
    if (!this.element.open) this.element.showModal();
  }

  render(): void {
    const items = this.items();
    if (items.length === 0) {
      if (this.element.open) this.element.close();
      return;
    }
    replaceChildren(this.body, ...items.map((i) => this.row(i)));
  }
}
