import { describe, expect, it } from 'vitest';
import type { Entry } from './outbox';
import { statusOf } from './status';

const entry = (seq: number, extra: Partial<Entry> = {}): Entry => ({ ref: `m${seq}`, feature: null, serverId: seq, baseVersion: 1, seq, ...extra });
const conflict = { theirs: null, version: 2, message: 'changed' };

describe('statusOf', () => {
  it.each<[string, Entry[], number, Parameters<typeof statusOf>[2], string | undefined, ReturnType<typeof statusOf>]>([
    ['nothing waits', [], 0, undefined, undefined, { state: 'saved', pending: 0, conflicts: 0, refused: 0 }],
    ['entries and a flight wait', [entry(1)], 3, undefined, undefined, { state: 'saving', pending: 4, conflicts: 0, refused: 0 }],
    [
      'a conflict outranks a refusal',
      [entry(1, { refused: 'no' }), entry(2, { conflict })],
      0,
      undefined,
      undefined,
      { state: 'conflict', pending: 0, conflicts: 1, refused: 1, refusal: 'no' },
    ],
    [
      'a refusal outranks an outage, and the first refusal is the reason',
      [entry(1, { refused: 'first' }), entry(2, { refused: 'second' }), entry(3)],
      0,
      { offline: true, message: 'Offline' },
      undefined,
      { state: 'refused', pending: 1, conflicts: 0, refused: 2, refusal: 'first', message: 'Offline' },
    ],
    ['offline', [entry(1)], 0, { offline: true, message: 'Offline' }, undefined, { state: 'offline', pending: 1, conflicts: 0, refused: 0, message: 'Offline' }],
    ['a failing server is still saving', [], 1, { offline: false, message: 'busy' }, undefined, { state: 'saving', pending: 1, conflicts: 0, refused: 0, message: 'busy' }],
    ['the store failing is said, the outage first', [], 0, undefined, 'no storage', { state: 'saved', pending: 0, conflicts: 0, refused: 0, message: 'no storage' }],
    ['an outage message wins over the store', [], 0, { offline: true, message: 'Offline' }, 'no storage', { state: 'offline', pending: 0, conflicts: 0, refused: 0, message: 'Offline' }],
  ])('%s', (_name, entries, inFlight, outage, storeError, want) => {
    expect(statusOf(entries, inFlight, outage, storeError)).toEqual(want);
  });
});
