import { describe, expect, it } from 'vitest';
import type { Slide } from '../api/types';
import { canOpen } from './slides';

const slide = (over: Partial<Slide>): Slide => ({ id: 1, project_id: 1, name: 'CMU-1', status: 'processing', ...over });

describe('canOpen', () => {
  it('opens a ready slide', () => {
    expect(canOpen(slide({ status: 'ready' }))).toBe(true);
  });
  it('opens a slide whose pyramid is still built when its source serves tiles', () => {
    expect(canOpen(slide({ status: 'processing', viewable: true }))).toBe(true);
    expect(canOpen(slide({ status: 'queued', viewable: true }))).toBe(true);
  });
  it('keeps closed what serves no tiles yet', () => {
    expect(canOpen(slide({ status: 'processing' }))).toBe(false);
    expect(canOpen(slide({ status: 'queued', viewable: false }))).toBe(false);
    expect(canOpen(slide({ status: 'failed' }))).toBe(false);
  });
});
