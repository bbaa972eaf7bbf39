import { describe, expect, it } from 'vitest';
import { pointMarks } from './annotations';

describe('pointMarks', () => {
  it('keeps valid point features and skips the rest', () => {
    const marks = pointMarks(
      {
        type: 'FeatureCollection',
        features: [
          { id: 'p1', geometry: { type: 'Point', coordinates: [10, 20] }, properties: { category_id: 3, radius: 6 } },
          { geometry: { type: 'Point', coordinates: [1, 2] }, properties: { id: 77, category_id: 'c' } },
          { id: 'poly', geometry: { type: 'Polygon', coordinates: [] }, properties: { category_id: 3 } },
          { id: 'nocat', geometry: { type: 'Point', coordinates: [1, 2] }, properties: {} },
          { id: 'nan', geometry: { type: 'Point', coordinates: ['1', 2] }, properties: { category_id: 3 } },
        ],
      },
      8,
    );
    expect(marks).toEqual([
      { id: 'p1', x: 10, y: 20, radius: 6, category: '3' },
      { id: '77', x: 1, y: 2, radius: 8, category: 'c' },
    ]);
  });
});
