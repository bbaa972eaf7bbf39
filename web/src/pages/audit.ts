import { listAudit, type AuditEntry, type AuditQuery } from '../api/audit';
import type { AppContext } from '../app';
import { h, replaceChildren } from '../dom';
import { statusBox } from './common';

export interface Actor {
  id: number;
  username: string;
}

/**
 * AuditPanel shows the audit log newest first, filtered by action and
 * actor; "Older entries" follows the server's next_before cursor and adds
 * the next page below, so the entries read already stay in view.
 */
export class AuditPanel {
  readonly element: HTMLElement;
  private readonly action = h('input', { id: 'audit-action', placeholder: 'e.g. login.* or user.update', autocomplete: 'off' });
  private readonly actor = h('select', { id: 'audit-actor' }, h('option', { value: '' }, 'anyone'));
  private readonly body = h('div', null, statusBox('Loading the audit log…'));
  private readonly more = h('button', { type: 'button', hidden: true }, 'Older entries');
  private query: AuditQuery = {};
  private entries: AuditEntry[] = [];
  private cursor = 0;

  constructor(private readonly ctx: AppContext, private readonly signal: AbortSignal, private readonly fail: (err: unknown) => void) {
    const form = h(
      'form',
      { class: 'inline-form', 'aria-label': 'Filter the audit log' },
      h('label', { for: 'audit-action' }, 'Action'), this.action,
      h('label', { for: 'audit-actor' }, 'Actor'), this.actor,
      h('button', { type: 'submit', class: 'primary' }, 'Filter'),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.load({ action: this.action.value, actorId: Number(this.actor.value) });
    });
    this.more.addEventListener('click', () => this.load({ ...this.query, before: this.cursor }));
    this.element = h('div', { class: 'audit' }, form, this.body, this.more);
  }

  /** setActors fills the actor filter, keeping the current choice. */
  setActors(actors: readonly Actor[]): void {
    const chosen = this.actor.value;
    replaceChildren(this.actor, h('option', { value: '' }, 'anyone'), ...actors.map((a) => h('option', { value: String(a.id) }, a.username)));
    this.actor.value = chosen;
  }

  /** load reads one page; without a cursor it starts the list over. */
  load(q: AuditQuery = this.query): void {
    const { before: _, ...filters } = q;
    this.query = filters;
    listAudit(this.ctx.api, q, this.signal).then((page) => {
      this.entries = q.before === undefined ? page.entries : [...this.entries, ...page.entries];
      this.cursor = page.next_before ?? 0;
      this.more.hidden = page.next_before === undefined;
      replaceChildren(this.body, auditTable(this.entries));
    }, this.fail);
  }
}

function auditTable(entries: readonly AuditEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'status' }, 'Nothing recorded.');
  return h(
    'table',
    { class: 'data-table', 'aria-label': 'Audit log' },
    h('thead', null, h('tr', null, ...['When', 'Who', 'Action', 'Target', 'From'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...entries.map((e) => h(
      'tr',
      { 'data-audit': String(e.id) },
      h('td', null, new Date(e.at).toLocaleString()),
      h('td', null, e.actor_name),
      h('td', null, h('code', null, e.action)),
      h('td', null, `${e.target_type} ${e.target_id}`),
      h('td', null, e.client_ip),
    ))),
  );
}
