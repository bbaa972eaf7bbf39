import type { ApiError } from '../api/error';

// When the save queue sends: after a quiet time since the last edit (capped
// during steady marking, so saving is never postponed for long), and, once
// the server stops answering, after a pause that doubles with each failure.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export interface ScheduleOptions {
  /** debounceMs: quiet time after an edit before sending; maxWaitMs caps it during steady marking. */
  readonly debounceMs?: number;
  readonly maxWaitMs?: number;
  /** retryBaseMs is the first back-off; each failure doubles it, up to retryMaxMs. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly timers?: Timers;
}

/** Outage is why the server does not take edits now; offline: it did not answer at all. */
export interface Outage {
  readonly offline: boolean;
  readonly message: string;
}

/** transient errors are worth retrying: no answer, an overloaded or restarting service, an expired session. */
export function transient(err: ApiError): boolean {
  return err.status === 0 || err.status === 401 || err.status === 429 || err.status >= 500 || err.code === 'unavailable';
}

/**
 * Schedule runs the two timers that call send: the debounce after edits and
 * the back-off after failures. While a back-off runs, edits wait for it.
 */
export class Schedule {
  private readonly timers: Timers;
  private timer: unknown = null;
  private retryTimer: unknown = null;
  private firstUnsentAt: number | null = null;
  private failures = 0;
  private down: Outage | undefined;

  constructor(
    private readonly opts: ScheduleOptions,
    private readonly send: () => void,
  ) {
    this.timers = opts.timers ?? realTimers;
  }

  /** outage answers why sending fails now, if it does. */
  get outage(): Outage | undefined {
    return this.down;
  }

  /** edited: an edit waits; send after the quiet time, unless a back-off runs (it sends when it ends). */
  edited(): void {
    if (this.retryTimer !== null) return;
    const now = this.timers.now();
    this.firstUnsentAt ??= now;
    const wait = Math.max(0, Math.min(this.opts.debounceMs ?? 400, this.firstUnsentAt + (this.opts.maxWaitMs ?? 2000) - now));
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.send();
    }, wait);
  }

  /** sending: a send starts, so the edits waiting go with it; the next edit starts a new quiet time. */
  sending(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.firstUnsentAt = null;
  }

  /** failed: the server did not take the request for now; send again after 1 s, 2 s, … up to the cap. */
  failed(err: ApiError): void {
    this.failures++;
    const offline = err.status === 0;
    this.down = { offline, message: offline ? 'Offline: edits are kept in this browser and will be sent when the server answers.' : err.message };
    const base = this.opts.retryBaseMs ?? 1000;
    const delay = Math.min(this.opts.retryMaxMs ?? 30_000, base * 2 ** (this.failures - 1));
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.send();
    }, delay);
  }

  /** answered ends an outage: the server gave a real answer. */
  answered(): void {
    this.failures = 0;
    this.down = undefined;
  }

  /** skipBackOff stops a running back-off, for a send now (the browser says it is online again). */
  skipBackOff(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  close(): void {
    this.sending();
    this.skipBackOff();
  }
}
