import { describe, expect, it } from 'vitest';
import { fromFeature, markOf, marksOf, sameContent, toFeature, type Mark } from './mark';

const rect: Mark = { ref: 'r', category: '4', geometry: { kind: 'rectangle', rings: [[[0, 0], [10, 0], [10, 5], [0, 5], [0, 0]]] } };

describe('toFeature and fromFeature', () => {
  it.each<[string, Mark]>([
    ['point', { ref: '12', category: '3', geometry: { kind: 'point', x: 10.5, y: 20, radius: 6 } }],
    ['rectangle', { ...rect, ref: '13' }],
    ['polyline', { ref: '14', category: '3', geometry: { kind: 'polyline', path: [[1, 1], [5, 6]] } }],
    ['noted ellipse', { ref: '15', category: '9', note: 'check', geometry: { kind: 'ellipse', rings: [[[0, 0], [4, 0], [2, 3], [0, 0]]] } }],
  ])('round-trips a %s', (_name, mark) => {
    const f = toFeature(mark);
    const back = fromFeature({ ...f, id: Number(mark.ref), properties: { ...f.properties, version: 4, author_id: 2 } }, 8);
    expect(back).toEqual({ id: Number(mark.ref), version: 4, mark: { ...mark, author: '2' } });
  });

  it('sends numeric category ids and the shape', () => {
    expect(toFeature(rect).properties).toEqual({ category_id: 4, shape: 'rectangle' });
  });

  it('skips what it cannot draw', () => {
    expect(fromFeature({ id: 1, geometry: { type: 'MultiPoint', coordinates: [] }, properties: { category_id: 1 } }, 8)).toBeNull();
    expect(fromFeature({ id: 1, geometry: { type: 'Point', coordinates: ['1', 2] }, properties: { category_id: 1 } }, 8)).toBeNull();
    expect(fromFeature({ geometry: { type: 'Point', coordinates: [1, 2] }, properties: { category_id: 1 } }, 8)).toBeNull();
    expect(fromFeature({ id: 1, geometry: { type: 'Point', coordinates: [1, 2] }, properties: {} }, 8)).toBeNull();
  });

  it('gives points without a radius the default one', () => {
    const got = fromFeature({ id: 1, geometry: { type: 'Point', coordinates: [1, 2] }, properties: { category_id: 1 } }, 8);
    expect(got?.mark.geometry).toEqual({ kind: 'point', x: 1, y: 2, radius: 8 });
  });
});

describe('marksOf and markOf', () => {
  // As the annotation service writes a mark (encode.go).
  const polygon = {
    type: 'Feature',
    id: 12,
    geometry: { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 0]]] },
    properties: { category_id: 3, author_id: 5, shape: 'polygon', version: 4, review: 'rejected', created_at: '2024-05-01T10:00:00Z' },
  };

  it('reads a page of features, counting what it skips', () => {
    const page = marksOf({ features: [polygon, { id: 13, geometry: { type: 'MultiPoint', coordinates: [] }, properties: { category_id: 1 } }], truncated: true }, 8);
    expect(page.truncated).toBe(true);
    expect(page.skipped).toBe(1);
    expect(page.marks).toHaveLength(1);
    expect(page.marks[0]?.mark.review).toBe('rejected');
  });

  it('reads one mark, and refuses a feature of another mark or none', () => {
    expect(markOf(polygon, 12, 8)).toMatchObject({ id: 12, version: 4, mark: { ref: '12', author: '5', geometry: { kind: 'polygon' } } });
    expect(() => markOf(polygon, 13, 8)).toThrow(/mark 13/);
    expect(() => markOf({ type: 'FeatureCollection', features: [] }, 13, 8)).toThrow(/mark 13/);
  });
});

describe('sameContent', () => {
  const f = toFeature(rect);
  it('ignores server properties and millipixel rounding', () => {
    const echoed = { ...f, id: 3, properties: { ...f.properties, version: 2, author_id: 1 }, geometry: { type: 'Polygon' as const, coordinates: [[[0.0004, 0], [10, 0], [10, 5], [0, 5], [0.0004, 0]] as [number, number][]] } };
    expect(sameContent(f, echoed)).toBe(true);
  });

  it('sees a moved vertex, another category or another shape', () => {
    expect(sameContent(f, toFeature({ ...rect, geometry: { kind: 'rectangle', rings: [[[0, 0], [11, 0], [10, 5], [0, 5], [0, 0]]] } }))).toBe(false);
    expect(sameContent(f, toFeature({ ...rect, category: '5' }))).toBe(false);
    expect(sameContent(f, toFeature({ ...rect, geometry: { kind: 'polygon', rings: rect.geometry.kind === 'rectangle' ? rect.geometry.rings : [] } }))).toBe(false);
  });
});
