import { describe, expect, it } from 'vitest';
import { describeRule } from './sso';

describe('describeRule', () => {
  it('says what each kind of rule gives', () => {
    expect(describeRule({ group: 'g', kind: 'system', role: 'admin' })).toBe('system role admin');
    expect(describeRule({ group: 'g', kind: 'project', role: 'annotator', project: 'GBM H&E' })).toBe('annotator in project GBM H&E');
    expect(describeRule({ group: 'g', kind: 'provision' })).toBe('may get an account on first sign-in');
  });
});
