import { describe, expect, it } from 'vitest';
import type { Slide } from '../api/types';
import { filterSlides } from './slidefilter';

const slides: Slide[] = [
  { id: 1, project_id: 1, name: 'GBM-01', case_id: 'P11', stain: 'H&E', status: 'ready' },
  { id: 2, project_id: 1, name: 'GBM-01 CD276', case_id: 'P11', stain: 'CD276', status: 'ready' },
  { id: 3, project_id: 1, name: 'GBM-02', case_id: 'P12', stain: 'H&E', status: 'ready' },
];
const mine = new Map([['1', 'done'], ['2', 'in_progress']]);
const ids = (got: Slide[]): number[] => got.map((s) => Number(s.id));

describe('filterSlides', () => {
  it.each([
    ['', 'all', [1, 2, 3]],
    ['', 'todo', [3]],
    ['', 'in_progress', [2]],
    ['', 'done', [1]],
    ['cd276', 'all', [2]],
    ['p11', 'all', [1, 2]],
    ['h&e', 'todo', [3]],
  ] as const)('search %j on tab %s', (q, tab, want) => {
    expect(ids(filterSlides(slides, q, tab, mine))).toEqual(want);
  });
});
