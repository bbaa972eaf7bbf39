import { describe, expect, it } from 'vitest';
import { auditPath } from './audit';

describe('auditPath', () => {
  it.each([
    { name: 'no filters', q: {}, want: '/api/v1/audit?limit=50' },
    { name: 'blank action is no filter', q: { action: '  ', actorId: 0 }, want: '/api/v1/audit?limit=50' },
    { name: 'prefix action and actor', q: { action: 'login.*', actorId: 3 }, want: '/api/v1/audit?limit=50&action=login.*&actor_id=3' },
    { name: 'next page', q: { action: 'user.update', before: 120, limit: 20 }, want: '/api/v1/audit?limit=20&action=user.update&before=120' },
  ])('$name', ({ q, want }) => {
    expect(auditPath(q)).toBe(want);
  });
});
