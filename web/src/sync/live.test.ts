import { describe, expect, it } from 'vitest';
import { applyChange, parseChange, type LiveChange, type LiveTarget } from './live';

function target(server: Map<number, number>, opts: { pending?: string[]; seen?: Record<string, number>; refs?: Record<number, string> } = {}) {
  const log: string[] = [];
  const t: LiveTarget = {
    refOf: (id) => opts.refs?.[id],
    pending: (ref) => opts.pending?.includes(ref) ?? false,
    versionOf: (ref) => opts.seen?.[ref],
    fetch: (id) => {
      log.push(`fetch ${id}`);
      const v = server.get(id);
      return Promise.resolve(v === undefined ? undefined : { version: v, show: (ref: string) => log.push(`show ${ref}@${v}`) });
    },
    forget: (ref) => log.push(`forget ${ref}`),
    reload: () => log.push('reload'),
    changed: () => log.push('changed'),
  };
  return { t, log };
}

const change = (kind: string, ids: number[]): LiveChange => ({ slide_id: 7, kind, ids, actor_id: 3, at: '' });

describe('applyChange', () => {
  it("shows another reader's new and changed marks under the ref the page knows them by", async () => {
    const { t, log } = target(new Map([[10, 1], [11, 4]]), { refs: { 11: 'client-ref' }, seen: { 'client-ref': 3 } });
    await applyChange(change('updated', [10, 11]), t);
    expect(log).toEqual(['fetch 10', 'fetch 11', 'show 10@1', 'show client-ref@4', 'changed']);
  });

  it('forgets deleted marks and marks the caller may no longer see', async () => {
    const { t, log } = target(new Map());
    await applyChange(change('deleted', [5]), t);
    await applyChange(change('updated', [6]), t);
    expect(log).toEqual(['forget 5', 'changed', 'fetch 6', 'forget 6', 'changed']);
  });

  it("leaves marks with unsent edits alone, and ignores the echo of the page's own save", async () => {
    const { t, log } = target(new Map([[8, 2], [9, 5]]), { pending: ['8'], seen: { '9': 5 } });
    await applyChange(change('updated', [8, 9]), t);
    expect(log).toEqual(['fetch 9', 'changed']);
  });

  it('reloads the view for a large change instead of fetching each mark', async () => {
    const { t, log } = target(new Map());
    await applyChange(change('created', Array.from({ length: 60 }, (_, i) => i)), t);
    expect(log).toEqual(['reload', 'changed']);
  });
});

describe('applyChange racing the page\'s own save', () => {
  it('uses the client ref learnt while the mark was fetched, so the own new mark is not shown twice', async () => {
    const refs: Record<number, string> = {};
    const { t, log } = target(new Map([[42, 1]]), { refs, seen: {} });
    const fetch = t.fetch;
    const racing: LiveTarget = {
      ...t,
      versionOf: (ref) => (ref === 'client-1' ? 1 : undefined),
      fetch: async (id) => {
        const m = await fetch(id);
        refs[42] = 'client-1'; // the create's answer lands while the event's fetch is on its way
        return m;
      },
    };
    await applyChange(change('created', [42]), racing);
    expect(log).toEqual(['fetch 42', 'changed']);
  });
});

describe('parseChange', () => {
  it('reads the service event and refuses anything else', () => {
    expect(parseChange('{"slide_id":7,"kind":"created","ids":[1,2],"actor_id":3,"at":"2026-12-05T10:00:00Z"}')).toEqual({
      slide_id: 7, kind: 'created', ids: [1, 2], actor_id: 3, at: '2026-12-05T10:00:00Z',
    });
    expect(parseChange('{"slide_id":7,"kind":"created","ids":["x"]}')).toBeNull();
    expect(parseChange('not json')).toBeNull();
  });
});
