import { describe, expect, it } from 'vitest';
import type { Feature } from '../marks/mark';
import { ago, conflictSentence, verb } from './conflictwords';

const pt = (x: number, cat = 3): Feature => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [x, 5] }, properties: { category_id: cat, radius: 8 } });
const poly = (x: number): Feature => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[x, 0], [x + 5, 0], [x, 5], [x, 0]]] }, properties: { category_id: 3 } });

describe('verb', () => {
  it.each([
    ['moved', { action: 'updated', before: pt(1), after: pt(2) }],
    ['reshaped', { action: 'updated', before: poly(1), after: poly(2) }],
    ['reclassified', { action: 'updated', before: pt(1), after: pt(1, 4) }],
    ['deleted', { action: 'deleted', before: pt(1), after: null }],
    ['reviewed', { action: 'reviewed', before: pt(1), after: pt(1) }],
    ['edited', { action: 'updated', before: pt(1), after: { ...pt(1), properties: { ...pt(1).properties, note: 'n' } } }],
  ] as const)('%s', (want, c) => expect(verb(c)).toBe(want));
});

describe('conflictSentence', () => {
  it('says who did what to the mark and how long ago', () => {
    const now = Date.parse('2026-12-05T10:02:00Z');
    const name = (id: string): string => (id === '6' ? 'Dr B' : id);
    expect(conflictSentence({ actor: '6', at: '2026-12-05T10:00:00Z', action: 'updated', before: pt(1), after: pt(9) }, name, now)).toBe('Dr B moved this mark 2 min ago');
    expect(ago('2026-12-05T10:01:50Z', now)).toBe('just now');
    expect(ago('2026-12-05T07:00:00Z', now)).toBe('3 h ago');
  });
});
