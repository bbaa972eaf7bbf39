import type { ApiClient } from '../api/client';
import { review, type Decision } from '../api/review';
import { h } from '../dom';
import type { MarkDocument } from '../marks/document';
import { fromFeature, type Mark } from '../marks/mark';
import { geometryBounds } from '../marks/shapes';
import type { SaveQueue } from '../sync/queue';
import { apply, type Affine } from '../viewer/geometry';
import type { SlideViewer } from '../viewer/viewer';

export interface ReviewDeps {
  readonly api: ApiClient;
  readonly slideId: string;
  readonly doc: MarkDocument;
  readonly queue: SaveQueue;
  readonly viewer: SlideViewer;
  visible(m: Mark): boolean;
  invalidate(): void;
  report(err: unknown): void;
  /** current hears which mark review mode is on (null: none, or review mode off). */
  current?(ref: string | null): void;
}

/** centre is where review mode looks at a mark: its bounding box's middle. */
function centre(m: Mark): { x: number; y: number } {
  const b = geometryBounds(m.geometry);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/**
 * ReviewMode walks a reviewer through the visible marks in reading order
 * (top to bottom, left to right): N next, P previous, A accept, R reject.
 * While it is on, those keys belong to it, not to the tools. What is typed
 * in the comment box goes with the next decision, and is cleared after it.
 */
export class ReviewMode {
  readonly element: HTMLElement;
  private on = false;
  private current: string | null = null;
  private readonly toggleButton: HTMLButtonElement;
  private readonly info: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly comment: HTMLTextAreaElement;

  constructor(private readonly d: ReviewDeps) {
    this.toggleButton = h('button', { type: 'button', 'aria-pressed': 'false', onclick: () => this.toggle() }, 'Review mode');
    this.info = h('p', { class: 'review-info', 'aria-live': 'polite', 'data-testid': 'review-info' });
    const button = (label: string, key: string, fn: () => void): HTMLButtonElement =>
      h('button', { type: 'button', 'aria-keyshortcuts': key, title: `${label} (${key})`, onclick: fn }, label, h('kbd', { 'aria-hidden': 'true' }, key));
    this.comment = h('textarea', { id: `review-comment-${d.slideId}`, class: 'review-comment-input', rows: 2, maxlength: 1000, placeholder: 'Sent with Accept or Reject' });
    // Keys typed here are text, not review shortcuts; Escape hands them back.
    this.comment.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.comment.blur();
    });
    this.controls = h(
      'div',
      { class: 'review-controls', hidden: true },
      button('Previous', 'P', () => this.step(-1)),
      button('Next', 'N', () => this.step(1)),
      button('Accept', 'A', () => void this.decide('accepted')),
      button('Reject', 'R', () => void this.decide('rejected')),
      h('label', { for: `review-comment-${d.slideId}`, class: 'review-comment-label' }, 'Comment (optional)'),
      this.comment,
    );
    this.element = h('fieldset', { class: 'review' }, h('legend', null, 'Review'), this.toggleButton, this.info, this.controls);
  }

  get active(): boolean {
    return this.on;
  }

  toggle(): void {
    this.on = !this.on;
    this.toggleButton.setAttribute('aria-pressed', String(this.on));
    this.controls.hidden = !this.on;
    if (this.on && this.current === null) this.step(1);
    this.d.current?.(this.on ? this.current : null);
    this.render();
  }

  /** onKey takes N, P, A and R while review mode is on. */
  onKey(ev: KeyboardEvent): boolean {
    if (!this.on || ev.ctrlKey || ev.metaKey || ev.altKey) return false;
    const k = ev.key.toLowerCase();
    if (k === 'n') this.step(1);
    else if (k === 'p') this.step(-1);
    else if (k === 'a') void this.decide('accepted');
    else if (k === 'r') void this.decide('rejected');
    else if (k === 'escape') this.toggle();
    else return false;
    return true;
  }

  paint(c: CanvasRenderingContext2D, m: Affine): void {
    const mark = this.on && this.current !== null ? this.d.doc.get(this.current) : undefined;
    if (mark === undefined) return;
    const b = geometryBounds(mark.geometry);
    const p0 = apply(m, b.x, b.y);
    const p1 = apply(m, b.x + b.width, b.y + b.height);
    const pad = 8;
    c.strokeStyle = '#ffbf00';
    c.lineWidth = 3;
    c.strokeRect(Math.min(p0.x, p1.x) - pad, Math.min(p0.y, p1.y) - pad, Math.abs(p1.x - p0.x) + 2 * pad, Math.abs(p1.y - p0.y) + 2 * pad);
  }

  private ordered(): Mark[] {
    const marks = [...this.d.doc.all()].filter((m) => this.d.visible(m));
    const key = (m: Mark): [number, number] => {
      const c = centre(m);
      return [c.y, c.x];
    };
    return marks.sort((a, b) => {
      const [ay, ax] = key(a);
      const [by, bx] = key(b);
      return ay - by || ax - bx;
    });
  }

  private step(dir: 1 | -1): void {
    const marks = this.ordered();
    if (marks.length === 0) {
      this.current = null;
      this.d.current?.(null);
      return this.render();
    }
    const at = marks.findIndex((m) => m.ref === this.current);
    const next = at < 0 ? (dir === 1 ? 0 : marks.length - 1) : (at + dir + marks.length) % marks.length;
    this.show(marks[next] as Mark);
  }

  private show(mark: Mark): void {
    this.current = mark.ref;
    const c = centre(mark);
    this.d.viewer.panToImage(c.x, c.y);
    this.d.current?.(mark.ref);
    this.render();
  }

  private async decide(decision: Decision): Promise<void> {
    const mark = this.current === null ? undefined : this.d.doc.get(this.current);
    if (mark === undefined) return;
    const id = this.d.queue.serverId(mark.ref);
    if (id === undefined) return this.d.report(new Error('This mark is not saved yet; review it once it is.'));
    const comment = this.comment.value.trim();
    try {
      for (const f of await review(this.d.api, this.d.slideId, [id], decision, comment)) {
        const saved = fromFeature(f, 8);
        if (saved === null || saved.id !== id) continue;
        this.d.queue.track(mark.ref, saved.id, saved.version);
        this.d.doc.show({ ...saved.mark, ref: mark.ref });
      }
      // Only what was sent is cleared: the reviewer may have typed on meanwhile.
      if (this.comment.value.trim() === comment) this.comment.value = '';
      this.nextPending();
    } catch (err) {
      this.d.report(err);
    }
  }

  /** nextPending moves on to the next mark nobody has decided on, or stays when all are. */
  private nextPending(): void {
    const marks = this.ordered();
    const at = marks.findIndex((m) => m.ref === this.current);
    for (let i = 1; i <= marks.length; i++) {
      const m = marks[(at + i) % marks.length] as Mark;
      if (m.review === undefined || m.review === '' || m.review === 'pending') return this.show(m);
    }
    this.render();
  }

  /** refresh re-counts after the marks changed. */
  refresh(): void {
    if (this.on) this.render();
  }

  private render(): void {
    this.d.invalidate();
    if (!this.on) {
      this.info.textContent = 'Accept or reject marks one by one.';
      return;
    }
    const marks = this.ordered();
    if (marks.length === 0) {
      // Zoomed out over many marks the view holds counts, not marks.
      this.info.textContent = 'No marks to review here: zoom in where there are marks.';
      return;
    }
    const count = (r: string): number => marks.filter((m) => (m.review ?? 'pending') === r || (r === 'pending' && m.review === '')).length;
    const at = marks.findIndex((m) => m.ref === this.current);
    const mark = at < 0 ? undefined : marks[at];
    const state = mark === undefined ? '' : ` (${mark.review !== undefined && mark.review !== '' ? mark.review : 'pending'})`;
    this.info.textContent = `Mark ${at + 1} of ${marks.length}${state}. Accepted ${count('accepted')}, rejected ${count('rejected')}, pending ${count('pending')}.`;
  }
}
