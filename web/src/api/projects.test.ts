import { describe, expect, it } from 'vitest';
import { categoryChanges } from './projects';
import type { Category } from './types';

describe('categoryChanges', () => {
  const before: Category = { id: 4, class_id: 2, name: 'Tumour', color: '#E6194B', shortcut: 't' };
  const same = { name: 'Tumour', class_id: 2, color: '#e6194b', shortcut: 't', description: '', order: 0 };
  it.each([
    { name: 'nothing changed (colour case and missing fields ignored)', after: same, want: {} },
    { name: 'every field', after: { name: 'Stroma', class_id: 3, color: '#00FF00', shortcut: '', description: 'fibrous', order: 2 },
      want: { name: 'Stroma', class_id: 3, color: '#00ff00', shortcut: '', description: 'fibrous', order: 2 } },
    { name: 'only the order', after: { ...same, order: 5 }, want: { order: 5 } },
  ])('$name', ({ after, want }) => {
    expect(categoryChanges(before, after)).toEqual(want);
  });
});
