import type { Category } from '../api/types';
import { h } from '../dom';
import type { Feature } from '../marks/mark';
import type { ConflictView, SaveQueue, SaveStatus } from '../sync/queue';
import { ListDialog } from './listdialog';
import type { RefusalDialog } from './refusals';

/** statusText is the save indicator's wording; the state is also in data-state for styling and tests. */
export function statusText(s: SaveStatus): string {
  switch (s.state) {
    case 'saved':
      return s.message === undefined ? 'All changes saved' : `All changes saved. ${s.message}`;
    case 'saving':
      return s.message === undefined ? `Saving ${s.pending} change${s.pending === 1 ? '' : 's'}…` : `Retrying: ${s.message}`;
    case 'offline':
      return `Offline: ${s.pending} change${s.pending === 1 ? '' : 's'} kept in this browser`;
    case 'conflict':
      return `${s.conflicts} conflict${s.conflicts === 1 ? '' : 's'}: someone else changed ${s.conflicts === 1 ? 'a mark' : 'marks'} you edited`;
    case 'refused':
      return `Not saved: ${s.refused} change${s.refused === 1 ? '' : 's'} refused by the server${s.refusal === undefined ? '' : ` (${s.refusal})`}`;
  }
}

/** describe says in words what a feature is, for the conflict dialog. */
export function describe(f: Feature | null, category: (id: string) => Category | undefined): string {
  if (f === null) return 'Deleted';
  const name = category(String(f.properties.category_id))?.name ?? `category ${f.properties.category_id}`;
  const g = f.geometry;
  if (g.type === 'Point') {
    const [x, y] = g.coordinates;
    return `Point, ${name}, at (${Math.round(x)}, ${Math.round(y)}), radius ${f.properties.radius ?? '?'} px`;
  }
  if (g.type === 'LineString') return `Line, ${name}, ${g.coordinates.length} vertices`;
  const shape = f.properties.shape ?? 'polygon';
  const corners = Math.max(0, (g.coordinates[0]?.length ?? 1) - 1);
  return `${shape[0]?.toUpperCase()}${shape.slice(1)}, ${name}, ${corners} vertices`;
}

/**
 * SaveIndicator shows the queue's state next to the slide title and, on a
 * conflict, a button that opens the dialog where the user picks a version.
 */
export class SaveIndicator {
  readonly element: HTMLElement;
  private readonly text: HTMLElement;
  private readonly resolveButton: HTMLButtonElement;
  private readonly refusedButton: HTMLButtonElement;
  private readonly dialog: ConflictDialog;

  constructor(
    queue: SaveQueue,
    category: (id: string) => Category | undefined,
    apply: (ref: string, feature: Feature | null) => void,
    private readonly refusals?: RefusalDialog,
    explain?: (c: ConflictView) => Promise<string>,
  ) {
    this.text = h('span', { class: 'save-text' });
    this.dialog = new ConflictDialog(queue, category, apply, explain);
    this.resolveButton = h('button', { type: 'button', hidden: true, onclick: () => this.dialog.open() }, 'Resolve');
    this.refusedButton = h('button', { type: 'button', hidden: true, onclick: () => refusals?.open() }, 'Fix or discard');
    this.element = h('div', { class: 'save-status', role: 'status', 'data-testid': 'save-status' },
      this.text, this.resolveButton, this.refusedButton, this.dialog.element, refusals?.element);
    queue.on({ status: (s) => this.render(s) });
    this.render(queue.status());
  }

  private render(s: SaveStatus): void {
    this.element.dataset['state'] = s.state;
    this.text.textContent = statusText(s);
    this.resolveButton.hidden = s.state !== 'conflict';
    this.refusedButton.hidden = s.refused === 0 || this.refusals === undefined;
    if (this.refusals?.isOpen() === true) this.refusals.render();
    if (s.state === 'conflict' && !this.dialog.isOpen()) this.dialog.open();
    else if (this.dialog.isOpen()) this.dialog.render();
  }
}

class ConflictDialog extends ListDialog<ConflictView> {
  /** words holds each conflict's plain sentence once read (by ref and the version met). */
  private readonly words = new Map<string, Promise<string>>();

  constructor(
    private readonly queue: SaveQueue,
    private readonly category: (id: string) => Category | undefined,
    private readonly apply: (ref: string, feature: Feature | null) => void,
    private readonly explain?: (c: ConflictView) => Promise<string>,
  ) {
    super({
      className: 'conflict-dialog',
      title: 'Someone else changed marks you edited',
      lead: 'Choose, for each mark, which version to keep. Both are drawn on the slide: yours dashed blue, theirs dashed orange.',
      close: 'Decide later',
    });
  }

  protected items(): readonly ConflictView[] {
    return this.queue.conflicts();
  }

  private sentence(c: ConflictView): Promise<string> | undefined {
    if (this.explain === undefined) return undefined;
    const key = `${c.ref}@${c.conflict.version}`;
    let p = this.words.get(key);
    if (p === undefined) {
      p = this.explain(c);
      this.words.set(key, p);
    }
    return p;
  }

  protected row(c: ConflictView): HTMLElement {
    const decide = (choice: 'mine' | 'theirs'): void => {
      this.apply(c.ref, this.queue.resolve(c.ref, choice));
      this.render();
    };
    const message = h('p', { class: 'conflict-message' }, c.conflict.message);
    this.sentence(c)?.then((text) => (message.textContent = `${text}. Keep yours or keep theirs?`), () => undefined);
    return h(
      'section',
      { class: 'conflict', 'data-ref': c.ref },
      message,
      h(
        'div',
        { class: 'conflict-versions' },
        h('div', null, h('h3', null, 'Your version'), h('p', null, describe(c.mine, this.category)),
          h('button', { type: 'button', class: 'primary', onclick: () => decide('mine') }, 'Keep mine')),
        h('div', null, h('h3', null, 'Current version on the server'), h('p', null, describe(c.conflict.theirs, this.category)),
          h('button', { type: 'button', onclick: () => decide('theirs') }, 'Keep theirs')),
      ),
    );
  }
}
