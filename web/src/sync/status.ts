import type { Entry } from './outbox';
import type { Outage } from './schedule';

export type SaveState = 'saved' | 'saving' | 'offline' | 'conflict' | 'refused';

export interface SaveStatus {
  readonly state: SaveState;
  /** pending counts marks not yet on the server, conflicts and refusals excluded. */
  readonly pending: number;
  readonly conflicts: number;
  /** refused counts changes the server refused; refusal is the first one's reason. */
  readonly refused: number;
  readonly refusal?: string;
  /** message explains an offline state or a browser storage failure. */
  readonly message?: string;
}

/**
 * statusOf says where the user's edits are: entries are the outbox's, oldest
 * first, inFlight the marks of the request on its way. A conflict outranks a
 * refusal, which outranks an outage: each needs the user more.
 */
export function statusOf(entries: readonly Entry[], inFlight: number, outage: Outage | undefined, storeError: string | undefined): SaveStatus {
  let conflicts = 0;
  let refused = 0;
  let refusal: string | undefined;
  for (const e of entries) {
    if (e.conflict !== undefined) conflicts++;
    else if (e.refused !== undefined) {
      refused++;
      refusal ??= e.refused;
    }
  }
  const pending = entries.length - conflicts - refused + inFlight;
  const message = outage?.message ?? storeError;
  const extra = { ...(message === undefined ? {} : { message }), ...(refusal === undefined ? {} : { refusal }) };
  const counts = { pending, conflicts, refused };
  if (conflicts > 0) return { state: 'conflict', ...counts, ...extra };
  // Never "saved" while a refused change waits for the user.
  if (refused > 0) return { state: 'refused', ...counts, ...extra };
  if (outage !== undefined) return { state: outage.offline ? 'offline' : 'saving', ...counts, ...extra };
  return { state: pending > 0 ? 'saving' : 'saved', ...counts, ...extra };
}
