import { describe, expect, it } from 'vitest';
import { matchPath, matchRoute, memoryLocator, Router, type Match, type Route } from './router';

const routes: Route<string>[] = [
  { pattern: '/login', value: 'login' },
  { pattern: '/', value: 'projects' },
  { pattern: '/projects/:projectId', value: 'slides' },
  { pattern: '/projects/:projectId/slides/:slideId', value: 'viewer' },
];

describe('matchPath', () => {
  it.each([
    ['/projects/:id', '/projects/42', { id: '42' }],
    ['/projects/:id', '/projects/42/', { id: '42' }],
    ['/projects/:id', '/projects/a%20b', { id: 'a b' }],
    ['/projects/:id', '/projects', null],
    ['/projects/:id', '/projects/%E0%A4%A', null],
    ['/', '/', {}],
    ['/', '/x', null],
  ])('%s against %s', (pattern, path, want) => {
    expect(matchPath(pattern, path)).toEqual(want);
  });
});

describe('matchRoute', () => {
  it('picks the route and splits the query', () => {
    const m = matchRoute(routes, '/projects/7/slides/abc?tool=point#x');
    expect(m?.route.value).toBe('viewer');
    expect(m?.params).toEqual({ projectId: '7', slideId: 'abc' });
    expect(m?.query.get('tool')).toBe('point');
  });

  it('answers null for unknown paths', () => {
    expect(matchRoute(routes, '/nope/1/2/3')).toBeNull();
  });
});

describe('Router', () => {
  it('resolves on start, on navigate and on back', () => {
    const loc = memoryLocator('/login?next=%2Fprojects%2F3');
    const seen: (Match<string> | null)[] = [];
    const router = new Router(routes, loc, (m) => seen.push(m));
    router.start();
    router.navigate('/projects/3');
    router.navigate('/projects/3/slides/9');
    loc.back();
    expect(seen.map((m) => m?.route.value)).toEqual(['login', 'slides', 'viewer', 'slides']);
    expect(seen[0]?.query.get('next')).toBe('/projects/3');
  });

  it('replaces instead of pushing when asked, and never pushes the same location twice', () => {
    const loc = memoryLocator('/');
    const router = new Router(routes, loc, () => undefined);
    router.navigate('/projects/1');
    router.navigate('/projects/1');
    router.navigate('/login', { replace: true });
    expect(loc.history).toEqual(['/', '/login']);
  });

  it('stops listening after stop', () => {
    const loc = memoryLocator('/');
    let calls = 0;
    const router = new Router(routes, loc, () => calls++);
    router.start();
    router.stop();
    loc.back();
    expect(calls).toBe(1);
  });
});
