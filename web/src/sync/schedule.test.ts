import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/error';
import { Schedule, transient, type ScheduleOptions, type Timers } from './schedule';

/** clock is a hand-turned Timers: tick(ms) runs what falls due, in order. */
function clock(): Timers & { tick(ms: number): void; pending(): number } {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      due.set(++next, { at: now + ms, fn });
      return next;
    },
    clearTimeout: (h) => void due.delete(h as number),
    pending: () => due.size,
    tick(ms) {
      const end = now + ms;
      for (;;) {
        const first = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (first === undefined) break;
        due.delete(first[0]);
        now = first[1].at;
        first[1].fn();
      }
      now = end;
    },
  };
}

function schedule(opts: ScheduleOptions = {}): { s: Schedule; t: ReturnType<typeof clock>; sends: number[] } {
  const t = clock();
  const sends: number[] = [];
  // As the queue does: a send starts by telling the schedule.
  const s: Schedule = new Schedule({ debounceMs: 400, maxWaitMs: 2000, retryBaseMs: 1000, retryMaxMs: 30_000, ...opts, timers: t }, () => {
    sends.push(t.now());
    s.sending();
  });
  return { s, t, sends };
}

const down = new ApiError(0, 'unavailable', 'no answer');

describe('Schedule', () => {
  it('sends after a quiet time, each edit restarting it', () => {
    const { s, t, sends } = schedule();
    s.edited();
    t.tick(300);
    s.edited();
    t.tick(399);
    expect(sends).toEqual([]);
    t.tick(1);
    expect(sends).toEqual([700]);
  });

  it('does not let steady edits postpone the send beyond the maximum wait', () => {
    const { s, t, sends } = schedule();
    for (let i = 0; i < 10; i++) {
      s.edited();
      t.tick(250);
    }
    expect(sends).toEqual([2000]);
  });

  it('takes the waiting edits along with a send started otherwise, and waits anew after it', () => {
    const { s, t, sends } = schedule();
    s.edited();
    t.tick(100);
    s.sending();
    expect(t.pending()).toBe(0);
    s.edited();
    t.tick(1000);
    expect(sends).toEqual([500]);
  });

  it('backs off 1 s, 2 s, 4 s … up to the cap, and edits wait for it', () => {
    const { s, t, sends } = schedule({ retryMaxMs: 5000 });
    for (const wait of [1000, 2000, 4000, 5000]) {
      s.failed(down);
      s.edited();
      t.tick(wait - 1);
      expect(sends).toHaveLength([1000, 2000, 4000, 5000].indexOf(wait));
      t.tick(1);
    }
    expect(sends).toEqual([1000, 3000, 7000, 12000]);
  });

  it('says offline when no answer came, and the server message otherwise, until an answer', () => {
    const { s } = schedule();
    s.failed(down);
    expect(s.outage).toEqual({ offline: true, message: expect.stringMatching(/^Offline/) as string });
    s.failed(new ApiError(503, 'unavailable', 'restarting'));
    expect(s.outage).toEqual({ offline: false, message: 'restarting' });
    s.answered();
    expect(s.outage).toBeUndefined();
  });

  it('starts the back-off over after an answer', () => {
    const { s, t, sends } = schedule();
    s.failed(down);
    t.tick(1000);
    s.failed(down);
    s.answered();
    s.skipBackOff();
    s.failed(down);
    t.tick(1000);
    expect(sends).toEqual([1000, 2000]);
  });

  it('drops a running back-off when told to send now, and everything on close', () => {
    const { s, t, sends } = schedule();
    s.failed(down);
    s.skipBackOff();
    t.tick(60_000);
    expect(sends).toEqual([]);
    s.edited();
    s.close();
    t.tick(60_000);
    expect(sends).toEqual([]);
  });
});

describe('transient', () => {
  it.each<[number, string, boolean]>([
    [0, 'unavailable', true],
    [401, 'unauthorized', true],
    [429, 'unavailable', true],
    [500, 'internal', true],
    [503, 'unavailable', true],
    [200, 'unavailable', true],
    [200, 'internal', false],
    [400, 'invalid', false],
    [403, 'forbidden', false],
    [404, 'not_found', false],
    [409, 'conflict', false],
  ])('status %i %s: retry %s', (status, code, want) => {
    expect(transient(new ApiError(status, code as ApiError['code'], 'x'))).toBe(want);
  });
});
