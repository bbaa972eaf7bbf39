// Which keys the viewer's shortcuts may take, given where focus is. A
// pathologist clicks a legend entry, a show/hide box or a slider and goes on
// marking: the letters, 1–9, ? and Ctrl+Z must keep working. Only a text
// field (and an open dialog) keeps every key for itself; other controls keep
// just the keys they really use (Space and Enter press them, arrows move
// sliders and radio groups).

/** Input types where the user types text: every key belongs to the field. */
const textTypes = new Set(['text', 'search', 'email', 'password', 'number', 'tel', 'url', 'date', 'datetime-local', 'month', 'time', 'week']);

const navigation = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);

/** KeyTarget is the little of an element this decision needs (an HTMLElement in the page, a plain object in tests). */
export interface KeyTarget {
  readonly tagName: string;
  readonly isContentEditable?: boolean;
  readonly type?: string;
  closest?(selector: string): unknown;
}

/** isTextField tells whether focus is where the user types, so no key is a shortcut. */
export function isTextField(t: KeyTarget | null): boolean {
  if (t === null) return false;
  if (t.isContentEditable === true) return true;
  if (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
  return t.tagName === 'INPUT' && textTypes.has((t.type ?? 'text').toLowerCase());
}

/**
 * shortcutAllowed answers whether the viewer may treat key as a shortcut
 * while target has focus: never in a text field or a dialog, and not for the
 * keys the focused control itself answers.
 */
export function shortcutAllowed(target: KeyTarget | null, key: string): boolean {
  if (target === null) return true;
  if (isTextField(target)) return false;
  if (target.closest !== undefined && target.closest('dialog') !== null) return false;
  const type = (target.type ?? '').toLowerCase();
  const pressable = target.tagName === 'BUTTON' || target.tagName === 'A' || target.tagName === 'SUMMARY' || (target.tagName === 'INPUT' && type !== 'range');
  if (pressable && (key === ' ' || key === 'Enter')) return false;
  const moves = target.tagName === 'INPUT' && (type === 'range' || type === 'radio');
  return !(moves && navigation.has(key));
}
