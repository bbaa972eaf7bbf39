import { describe, expect, it } from 'vitest';
import type { Suggestion } from '../api/suggestions';
import { ShapeEdit } from './edit';

const model = { name: 'pathofusion', version: 'v3' };
const dot: Suggestion = { id: 5, geometry: { type: 'Point', coordinates: [100, 100] }, properties: { category_id: 3, radius: 5, model, state: 'undecided' } };
const square: Suggestion = {
  id: 9,
  geometry: { type: 'Polygon', coordinates: [[[100, 100], [300, 100], [300, 300], [100, 300], [100, 100]]] },
  properties: { category_id: 4, shape: 'polygon', model, state: 'undecided' },
};

describe('ShapeEdit', () => {
  it('moves a dot dragged from on it and sends the moved point with its radius', () => {
    const e = new ShapeEdit(dot);
    expect(e.changed).toBe(false);
    expect(e.press({ x: 200, y: 200 }, 1)).toBe(false);
    expect(e.press({ x: 102, y: 101 }, 1)).toBe(true);
    expect(e.drag({ x: 142, y: 81 })).toBe(true);
    expect(e.release()).toBe(true);
    expect(e.changed).toBe(true);
    expect(e.body()).toEqual({ geometry: { type: 'Point', coordinates: [140, 80] }, radius: 5 });
  });

  it('drags a polygon corner (the closing vertex follows) and sends the shape kind', () => {
    const e = new ShapeEdit(square);
    // 8 screen px of slack at 0.5 screen px per image px is 16 image px.
    expect(e.press({ x: 112, y: 95 }, 0.5)).toBe(true);
    e.drag({ x: 50, y: 60 });
    e.release();
    expect(e.body()).toEqual({
      geometry: { type: 'Polygon', coordinates: [[[50, 60], [300, 100], [300, 300], [100, 300], [50, 60]]] },
      shape: 'polygon',
    });
  });

  it('moves a whole polygon grabbed inside it, and nothing when the drag had no press', () => {
    const e = new ShapeEdit(square);
    expect(e.drag({ x: 0, y: 0 })).toBe(false);
    expect(e.press({ x: 200, y: 200 }, 1)).toBe(true);
    e.drag({ x: 210, y: 190 });
    const g = e.body().geometry as { coordinates: number[][][] };
    expect(g.coordinates[0]?.[0]).toEqual([110, 90]);
    expect(g.coordinates[0]?.[2]).toEqual([310, 290]);
  });
});
