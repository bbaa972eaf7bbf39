import { describe, expect, it } from 'vitest';
import type { Geometry } from './mark';
import { insertVertex, removeVertex } from './vertices';

const square: Geometry = { kind: 'polygon', rings: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] };
const rect: Geometry = { kind: 'rectangle', rings: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] };
const line: Geometry = { kind: 'polyline', path: [[0, 0], [10, 0], [20, 0]] };

describe('insertVertex', () => {
  it.each([
    { name: 'on the top edge', g: square, p: { x: 5, y: 1 }, want: { kind: 'polygon', rings: [[[0, 0], [5, 1], [10, 0], [10, 10], [0, 10], [0, 0]]] } },
    { name: 'on the closing edge', g: square, p: { x: 0.5, y: 5 }, want: { kind: 'polygon', rings: [[[0, 0], [10, 0], [10, 10], [0, 10], [0.5, 5], [0, 0]]] } },
    { name: 'a rectangle becomes a polygon', g: rect, p: { x: 10, y: 5 }, want: { kind: 'polygon', rings: [[[0, 0], [10, 0], [10, 5], [10, 10], [0, 10], [0, 0]]] } },
    { name: 'on a line', g: line, p: { x: 15, y: 0.5 }, want: { kind: 'polyline', path: [[0, 0], [10, 0], [15, 0.5], [20, 0]] } },
    { name: 'far from every edge', g: square, p: { x: 5, y: 5 }, want: null },
    { name: 'not past the end of a line', g: line, p: { x: 25, y: 0 }, want: null },
  ])('$name', ({ g, p, want }) => {
    expect(insertVertex(g, p, 2)).toEqual(want);
  });
});

describe('removeVertex', () => {
  const five: Geometry = { kind: 'polygon', rings: [[[0, 0], [5, 1], [10, 0], [10, 10], [0, 10], [0, 0]]] };
  it.each([
    { name: 'a middle corner', g: five, i: 1, want: square },
    { name: 'the first corner closes on the next', g: five, i: 0, want: { kind: 'polygon', rings: [[[5, 1], [10, 0], [10, 10], [0, 10], [5, 1]]] } },
    { name: 'a triangle keeps its corners', g: { kind: 'polygon', rings: [[[0, 0], [1, 0], [0, 1], [0, 0]]] } as Geometry, i: 0, want: null },
    { name: 'a line corner', g: line, i: 1, want: { kind: 'polyline', path: [[0, 0], [20, 0]] } },
    { name: 'a two-point line stays', g: { kind: 'polyline', path: [[0, 0], [1, 1]] } as Geometry, i: 0, want: null },
    { name: 'a point has none', g: { kind: 'point', x: 1, y: 1, radius: 3 } as Geometry, i: 0, want: null },
  ])('$name', ({ g, i, want }) => {
    expect(removeVertex(g, i)).toEqual(want);
  });
});
