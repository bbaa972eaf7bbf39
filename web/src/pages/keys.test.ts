import { describe, expect, it } from 'vitest';
import { isTextField, shortcutAllowed, type KeyTarget } from './keys';

const input = (type: string): KeyTarget => ({ tagName: 'INPUT', type, closest: () => null });
const el = (tagName: string): KeyTarget => ({ tagName, closest: () => null });

describe('shortcutAllowed', () => {
  const cases: [string, KeyTarget | null, string, boolean][] = [
    ['nothing focused', null, 'p', true],
    ['body', el('BODY'), '1', true],
    ['legend radio, a tool letter', input('radio'), 'p', true],
    ['legend radio, a category digit', input('radio'), '2', true],
    ['show/hide box, a tool letter', input('checkbox'), 'e', true],
    ['show/hide box, help', input('checkbox'), '?', true],
    ['slider, undo', input('range'), 'z', true],
    ['slider, a digit', input('range'), '3', true],
    ['slider keeps its arrows', input('range'), 'ArrowRight', false],
    ['radio keeps its arrows', input('radio'), 'ArrowDown', false],
    ['checkbox keeps Space', input('checkbox'), ' ', false],
    ['button keeps Enter', el('BUTTON'), 'Enter', false],
    ['button, a tool letter', el('BUTTON'), 'p', true],
    ['button, Escape reaches the tool', el('BUTTON'), 'Escape', true],
    ['text field keeps letters', input('text'), 'p', false],
    ['search field keeps digits', input('search'), '1', false],
    ['textarea', el('TEXTAREA'), 'z', false],
    ['select', el('SELECT'), 'a', false],
    ['in a dialog', { tagName: 'BUTTON', closest: (s: string) => (s === 'dialog' ? {} : null) }, 'p', false],
    ['contenteditable', { tagName: 'DIV', isContentEditable: true }, 'p', false],
  ];
  for (const [name, target, key, want] of cases) {
    it(name, () => expect(shortcutAllowed(target, key)).toBe(want));
  }
});

describe('isTextField', () => {
  it('treats an input without a type as text', () => expect(isTextField({ tagName: 'INPUT' })).toBe(true));
  it('does not treat a slider as text', () => expect(isTextField(input('range'))).toBe(false));
});
