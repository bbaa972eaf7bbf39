import type { ApiClient } from '../api/client';
import { lastReview, type ReviewNote } from '../api/review';
import type { Category } from '../api/types';
import { h, replaceChildren } from '../dom';
import type { MarkDocument } from '../marks/document';
import { toFeature, type Mark } from '../marks/mark';
import { isAbort } from './common';
import { describe } from './savestatus';

export interface MarkInfoDeps {
  readonly api: ApiClient;
  readonly doc: MarkDocument;
  /** serverId and versionOf come from the save queue: only saved marks have a review. */
  serverId(ref: string): number | undefined;
  versionOf(ref: string): number | undefined;
  category(id: string): Category | undefined;
  /** name answers a user's display name for an author or reviewer id. */
  name(userId: string): string;
  report(err: unknown): void;
}

const decisions: Record<string, string> = { accepted: 'Accepted', rejected: 'Rejected', pending: 'Pending' };

/**
 * MarkInfo tells the annotator about the selected mark (or the one review
 * mode is on): what it is, who made it, and its review: the state and the
 * reviewer's comment, which the service keeps in the mark's history.
 */
export class MarkInfo {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private ref: string | null = null;
  /** asked is the id:version whose review was fetched (or is on its way), note its answer. */
  private asked = '';
  private note: ReviewNote | null = null;
  private flight: AbortController | null = null;

  constructor(private readonly d: MarkInfoDeps) {
    this.body = h('div', { class: 'mark-info-body', 'aria-live': 'polite', 'data-testid': 'mark-info' });
    this.element = h('fieldset', { class: 'mark-info' }, h('legend', null, 'Selected mark'), this.body);
    this.render();
  }

  /** show follows another mark (null: none). */
  show(ref: string | null): void {
    if (ref === this.ref) return;
    this.ref = ref;
    this.refresh();
  }

  /** refresh re-reads the mark after a change (a review, an edit, a save). */
  refresh(): void {
    const mark = this.ref === null ? undefined : this.d.doc.get(this.ref);
    const id = mark === undefined ? undefined : this.d.serverId(mark.ref);
    const key = id === undefined ? '' : `${id}:${this.d.versionOf(mark?.ref ?? '') ?? 0}`;
    if (key !== this.asked) {
      this.flight?.abort();
      this.flight = null;
      this.asked = key;
      this.note = null;
      if (id !== undefined) this.fetch(id, key);
    }
    this.render();
  }

  dispose(): void {
    this.flight?.abort();
  }

  private fetch(id: number, key: string): void {
    const flight = new AbortController();
    this.flight = flight;
    lastReview(this.d.api, id, flight.signal).then(
      (note) => {
        if (this.asked !== key) return;
        this.note = note;
        this.render();
      },
      (err: unknown) => {
        if (!isAbort(err)) this.d.report(err);
      },
    );
  }

  private render(): void {
    const mark = this.ref === null ? undefined : this.d.doc.get(this.ref);
    if (mark === undefined) {
      replaceChildren(this.body, h('p', { class: 'status' }, 'No mark selected. Pick one with the select tool (V) to see its review.'));
      return;
    }
    const state = mark.review !== undefined && mark.review !== '' ? mark.review : 'pending';
    replaceChildren(
      this.body,
      h('p', null, describe(toFeature(mark), (c) => this.d.category(c)), mark.simplified === true ? ' (outline simplified at this zoom)' : ''),
      h('p', null, 'By ', mark.author === undefined ? 'you (not saved yet)' : this.d.name(mark.author)),
      h('p', { class: `review-state review-${state}`, 'data-testid': 'mark-review', 'data-state': state }, 'Review: ', h('strong', null, decisions[state] ?? state)),
      ...this.comment(mark, state),
    );
  }

  /** comment shows the last reviewer's words, saying so when the mark was edited after them. */
  private comment(mark: Mark, state: string): HTMLElement[] {
    if (this.note === null) return [];
    const r = reviewSummary(this.note, state, this.d.versionOf(mark.ref), (id) => this.d.name(id));
    const out: HTMLElement[] = [h('p', { class: 'review-by' }, r.by)];
    if (r.comment !== '') out.push(h('blockquote', { class: 'review-comment', 'data-testid': 'mark-review-comment' }, r.comment));
    return out;
  }
}

/**
 * reviewSummary words the last review of a mark whose review state is
 * state and version version: who decided what and when, and whether the
 * mark was edited after (an edit sets the review back to pending).
 */
export function reviewSummary(note: ReviewNote, state: string, version: number | undefined, name: (id: string) => string): { by: string; comment: string } {
  const who = `${decisions[note.decision] ?? note.decision} by ${name(note.reviewer)}${note.at === '' ? '' : ` on ${note.at.slice(0, 10)}`}`;
  const stale = note.decision !== state || (version ?? note.version) > note.version;
  return { by: stale ? `Edited since the last review (${who})` : who, comment: note.comment };
}
