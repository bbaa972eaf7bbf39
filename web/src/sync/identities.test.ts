import { describe, expect, it } from 'vitest';
import { Identities } from './identities';

describe('Identities', () => {
  it('maps a ref to its server id and version, and back', () => {
    const ids = new Identities();
    ids.know('a', { id: 7, version: 1 });
    expect(ids.get('a')).toEqual({ id: 7, version: 1 });
    expect(ids.has('a')).toBe(true);
    expect(ids.refOf(7)).toBe('a');
    ids.know('a', { id: 7, version: 2 });
    expect(ids.get('a')?.version).toBe(2);
  });

  it('lets an old id go when the ref stands for another mark now', () => {
    const ids = new Identities();
    ids.know('a', { id: 7, version: 1 });
    ids.know('a', { id: 8, version: 1 });
    expect(ids.refOf(7)).toBeUndefined();
    expect(ids.refOf(8)).toBe('a');
  });

  it('keeps an id another ref holds when forgetting', () => {
    const ids = new Identities();
    ids.know('client-ref', { id: 7, version: 1 });
    ids.know('7', { id: 7, version: 2 });
    ids.unknow('client-ref');
    expect(ids.refOf(7)).toBe('7');
    expect(ids.has('client-ref')).toBe(false);
    ids.unknow('7');
    expect(ids.refOf(7)).toBeUndefined();
  });

  it('forgets everything on clear', () => {
    const ids = new Identities();
    ids.know('a', { id: 7, version: 1 });
    ids.clear();
    expect(ids.get('a')).toBeUndefined();
    expect(ids.refOf(7)).toBeUndefined();
  });
});
