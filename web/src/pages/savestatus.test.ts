import { describe, expect, it } from 'vitest';
import type { Category } from '../api/types';
import { describe as describeFeature, statusText } from './savestatus';

describe('statusText', () => {
  it.each([
    [{ state: 'saved', pending: 0, conflicts: 0, refused: 0 }, 'All changes saved'],
    [{ state: 'saving', pending: 3, conflicts: 0, refused: 0 }, 'Saving 3 changes…'],
    [{ state: 'saving', pending: 1, conflicts: 0, refused: 0, message: 'The service is unavailable.' }, 'Retrying: The service is unavailable.'],
    [{ state: 'offline', pending: 1, conflicts: 0, refused: 0 }, 'Offline: 1 change kept in this browser'],
    [{ state: 'conflict', pending: 0, conflicts: 2, refused: 0 }, '2 conflicts: someone else changed marks you edited'],
    [{ state: 'refused', pending: 0, conflicts: 0, refused: 1, refusal: 'forbidden' }, 'Not saved: 1 change refused by the server (forbidden)'],
  ] as const)('%o reads %s', (s, want) => {
    expect(statusText(s)).toBe(want);
  });
});

describe('describe', () => {
  const cats = (id: string): Category | undefined => (id === '3' ? { id: 3, class_id: 1, name: 'Tumour cell', color: '#f00' } : undefined);
  it('says what a mark is in words', () => {
    expect(describeFeature({ type: 'Feature', geometry: { type: 'Point', coordinates: [10.4, 20.6] }, properties: { category_id: 3, radius: 8 } }, cats)).toBe(
      'Point, Tumour cell, at (10, 21), radius 8 px',
    );
    expect(describeFeature({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }, properties: { category_id: 9, shape: 'freehand' } }, cats)).toBe(
      'Freehand, category 9, 3 vertices',
    );
    expect(describeFeature(null, cats)).toBe('Deleted');
  });
});
