import { describe, expect, it } from 'vitest';
import type { Progress } from '../api/review';
import type { Mark } from './mark';
import { Tally } from './tally';

const dot = (ref: string, category: string, author?: string): Mark => ({
  ref,
  category,
  geometry: { kind: 'point', x: 1, y: 1, radius: 8 },
  ...(author === undefined ? {} : { author }),
});

const progress: Progress[] = [
  { user_id: 7, status: 'in_progress', total: 3, counts: { '1': 2, '2': 1 } },
  { user_id: 8, status: 'done', total: 5, counts: { '2': 5 } },
  { user_id: 9, status: 'not_started' },
];

describe('Tally', () => {
  it('adds the service counts per author and category', () => {
    const t = new Tally('7');
    expect(t.ready).toBe(false);
    t.settle(progress, t.begin());
    expect(t.ready).toBe(true);
    expect(Object.fromEntries(t.byCategory())).toEqual({ '1': 2, '2': 6 });
    expect(Object.fromEntries(t.byCategory((a) => a !== '8'))).toEqual({ '1': 2, '2': 1 });
    expect(Object.fromEntries(t.byAuthor())).toEqual({ '7': 3, '8': 5 });
    expect(t.total()).toBe(8);
  });

  it('counts the edits made since: new marks for their author, removals and recategorisations', () => {
    const t = new Tally('7');
    t.settle(progress, t.begin());
    t.edit([{ ref: 'a', before: null, after: dot('a', '1') }]);
    t.edit([{ ref: 'x', before: dot('x', '2', '8'), after: dot('x', '1', '8') }]);
    t.edit([{ ref: 'y', before: dot('y', '2', '8'), after: null }]);
    expect(Object.fromEntries(t.byCategory())).toEqual({ '1': 4, '2': 4 });
    expect(Object.fromEntries(t.byAuthor())).toEqual({ '7': 4, '8': 4 });
  });

  it('does not count twice the edits the new counts already hold, and keeps those made meanwhile', () => {
    const t = new Tally('7');
    t.settle(progress, t.begin());
    t.edit([{ ref: 'a', before: null, after: dot('a', '1') }]);
    const snap = t.begin();
    // Made while the counts were being read: not in them.
    t.edit([{ ref: 'b', before: null, after: dot('b', '2') }]);
    const after: Progress[] = [{ user_id: 7, status: 'in_progress', counts: { '1': 3, '2': 1 } }, progress[1] as Progress];
    t.settle(after, snap);
    expect(Object.fromEntries(t.byCategory())).toEqual({ '1': 3, '2': 7 });
  });
});
