import { getAssignment, putAssignment, type Member } from '../api/members';
import type { Category } from '../api/types';
import type { AppContext } from '../app';
import { h, replaceChildren } from '../dom';
import { statusBox } from './common';

/**
 * assignmentPanel lets a manager choose which categories one annotator
 * marks with (the original tool gave each annotator their own classes).
 * Nothing ticked means every category: that is how the service stores "all".
 */
export function assignmentPanel(ctx: AppContext, projectId: string, m: Member, cats: readonly Category[], fail: (err: unknown) => void): HTMLElement {
  const who = m.display_name !== undefined && m.display_name !== '' ? m.display_name : m.username;
  const panel = h('section', { class: 'assignment', 'aria-label': `Categories of ${m.username}` }, statusBox('Loading the assignment…'));
  const active = cats.filter((c) => c.archived !== true);
  getAssignment(ctx.api, projectId, m.user_id).then((ids) => {
    const boxes = active.map((c) => h('input', { type: 'checkbox', id: `assign-${m.user_id}-${c.id}`, value: String(c.id), checked: ids.includes(Number(c.id)) }));
    const saved = h('span', { class: 'status', role: 'status' });
    const form = h(
      'form',
      { class: 'assignment-form' },
      h('fieldset', null, h('legend', null, `Categories ${who} may use (none ticked: all)`),
        ...boxes.map((b, i) => h('span', { class: 'check' }, b, h('label', { for: b.id }, active[i]?.name ?? '')))),
      h('button', { type: 'submit', class: 'primary' }, `Save categories of ${m.username}`),
      saved,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      replaceChildren(saved);
      const chosen = boxes.filter((b) => b.checked).map((b) => Number(b.value));
      putAssignment(ctx.api, projectId, m.user_id, chosen).then((got) => replaceChildren(saved, got.length === 0 ? 'Saved: all categories.' : `Saved: ${got.length} categories.`), fail);
    });
    replaceChildren(panel, form);
  }, fail);
  return panel;
}
