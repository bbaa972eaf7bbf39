import { describe, expect, it } from 'vitest';
import { displayName, Session } from './session';

describe('Session', () => {
  it('holds the user and token and tells subscribers about changes', () => {
    const s = new Session();
    const seen: (string | null)[] = [];
    s.subscribe((u) => seen.push(u?.username ?? null));
    expect(s.signedIn).toBe(false);
    s.set({ user: { id: 1, username: 'ada' }, csrf_token: 'tok' });
    expect(s.csrfToken).toBe('tok');
    s.clear();
    s.clear();
    expect(s.csrfToken).toBeUndefined();
    expect(seen).toEqual(['ada', null]);
  });
});

describe('displayName', () => {
  it('prefers the display name and falls back to the username', () => {
    expect(displayName({ id: 1, username: 'ada', display_name: 'Ada Lovelace' })).toBe('Ada Lovelace');
    expect(displayName({ id: 1, username: 'ada', display_name: '  ' })).toBe('ada');
    expect(displayName({ id: 1, username: 'ada' })).toBe('ada');
  });
});
