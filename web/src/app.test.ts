import { describe, expect, it } from 'vitest';
import { loginLocation, safeNext } from './app';

describe('safeNext', () => {
  it.each([
    ['/projects/3', '/projects/3'],
    [null, '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
  ])('%s → %s', (next, want) => {
    expect(safeNext(next)).toBe(want);
  });
});

describe('loginLocation', () => {
  it('remembers where the user was', () => {
    expect(loginLocation('/projects/3?tab=done')).toBe('/login?next=%2Fprojects%2F3%3Ftab%3Ddone');
    expect(loginLocation('/')).toBe('/login');
    expect(loginLocation('/login?next=%2Fx')).toBe('/login');
  });
});
