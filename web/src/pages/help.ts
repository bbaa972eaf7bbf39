import { h } from '../dom';
import type { Tool } from '../tools/tool';

/** helpDialog lists every keyboard shortcut; '?' or the Help button opens it. */
export function helpDialog(tools: readonly Tool[]): HTMLDialogElement {
  const rows: [string, string][] = [
    ...tools.map((t): [string, string] => [t.key.toUpperCase(), t.label]),
    ['1 – 9', 'Choose the category for new marks'],
    ['Shift + 1 – 9', 'Move the selected mark to that category'],
    ['Ctrl + Z', 'Undo'],
    ['Ctrl + Shift + Z, Ctrl + Y', 'Redo'],
    ['Delete, Backspace', 'Delete the selected mark'],
    ['Enter, double click', 'Close the polygon, end the polyline being drawn'],
    ['Backspace', 'Remove the last polygon or polyline corner'],
    ['Double click on an edge', 'Select mode: add a corner to the selected shape'],
    ['Alt + click on a corner', 'Select mode: remove that corner'],
    ['Escape', 'Drop the draft or the selection'],
    ['N, P', 'Review mode: next, previous mark'],
    ['A, R', 'Review mode: accept, reject the mark'],
    ['S', 'Show or hide the model suggestions and their keys'],
    ['U (Shift + U)', 'Suggestions: fly to the most uncertain (where model and marks disagree)'],
    ['A, 1 – 9, R', 'Suggestions: accept, accept as that category, reject'],
    ['E, then Enter', 'Suggestions: edit the shape (drag it or its corners), then accept it as edited; Escape cancels the edit'],
    ['?', 'Show this help'],
  ];
  return h(
    'dialog',
    { class: 'help-dialog', 'aria-label': 'Keyboard shortcuts' },
    h('h2', null, 'Keyboard shortcuts'),
    h(
      'table',
      null,
      h('tbody', null, ...rows.map(([k, what]) => h('tr', null, h('th', { scope: 'row' }, h('kbd', null, k)), h('td', null, what)))),
    ),
    h('form', { method: 'dialog' }, h('button', { type: 'submit', class: 'primary' }, 'Close')),
  );
}
