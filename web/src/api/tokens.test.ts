import { describe, expect, it } from 'vitest';
import { tokenState } from './tokens';

describe('tokenState', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  it.each([
    { name: 'active', t: { revoked_at: null, expires_at: '2026-06-01T00:00:00Z' }, want: 'active' },
    { name: 'expired', t: { revoked_at: null, expires_at: '2026-03-01T11:59:59Z' }, want: 'expired' },
    { name: 'revoked wins over expired', t: { revoked_at: '2026-01-01T00:00:00Z', expires_at: '2026-02-01T00:00:00Z' }, want: 'revoked' },
  ])('$name', ({ t, want }) => {
    expect(tokenState(t, now)).toBe(want);
  });
});
