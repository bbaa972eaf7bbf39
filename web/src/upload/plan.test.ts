import { describe, expect, it } from 'vitest';
import { missingParts, Progress, uploadKey } from './plan';

describe('missingParts', () => {
  it('splits a file into parts, the last one shorter', () => {
    expect(missingParts(25, 10, [])).toEqual([
      { n: 1, start: 0, end: 10 },
      { n: 2, start: 10, end: 20 },
      { n: 3, start: 20, end: 25 },
    ]);
  });

  it('skips parts the server has whole and resends partial ones', () => {
    expect(missingParts(25, 10, [{ number: 1, size: 10 }, { number: 3, size: 2 }]).map((p) => p.n)).toEqual([2, 3]);
    expect(missingParts(25, 10, [{ number: 1, size: 10 }, { number: 2, size: 10 }, { number: 3, size: 5 }])).toEqual([]);
  });
});

describe('Progress', () => {
  it('counts what is there and what is on its way', () => {
    const p = new Progress(100, 40);
    p.sending(2, 10);
    p.sending(3, 5);
    expect(p.bytes).toBe(55);
    p.finished(2, 30);
    p.failed(3);
    expect(p.percent).toBe(70);
  });
});

it('keys an upload by project and file identity', () => {
  expect(uploadKey('4', { name: 'a.svs', size: 9, lastModified: 1 })).toBe('patholabel-upload:4:a.svs:9:1');
});
