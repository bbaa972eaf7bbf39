import { describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../api/client';
import type { ViewportLoader } from '../marks/loader';
import { Tally } from '../marks/tally';
import type { SaveQueue, SaveStatus } from '../sync/queue';
import { recounter } from './viewport';

const saved: SaveStatus = { state: 'saved', pending: 0, conflicts: 0, refused: 0 };

describe('recounter', () => {
  it('reads the whole-slide counts once an outbox replayed at open is saved, with no edit before', async () => {
    vi.useFakeTimers();
    try {
      let status: SaveStatus = { state: 'saving', pending: 51, conflicts: 0, refused: 0 };
      const reads: string[] = [];
      const api = {
        get: (path: string) => {
          reads.push(path);
          return Promise.resolve({ slide_id: 7, annotators: [{ user_id: 1, status: 'in_progress', counts: { '3': 53 } }] });
        },
      } as unknown as ApiClient;
      const tally = new Tally('1');
      const refresh = vi.fn();
      const r = recounter({
        api,
        slideId: '7',
        signal: new AbortController().signal,
        queue: { status: () => status } as unknown as SaveQueue,
        tally,
        loader: { state: null, refresh: () => Promise.resolve() } as unknown as ViewportLoader,
        refresh,
      });
      // At open the replayed marks are not on the server yet: no read.
      r.now();
      expect(reads).toEqual([]);
      // The replay ends "saved" without any "saving" status in between (no edit was made here).
      status = saved;
      r.onStatus(saved);
      await vi.advanceTimersByTimeAsync(400);
      expect(reads).toEqual(['/api/v1/annotations/status?slide_id=7']);
      expect(tally.ready).toBe(true);
      expect(tally.byCategory().get('3')).toBe(53);
      expect(refresh).toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
