import { describe, expect, it } from 'vitest';
import { sizeText } from './viewercontrols';

describe('sizeText', () => {
  it.each([
    [8, undefined, '8 px'],
    [8, 0, '8 px'],
    [8, 0.25, '8 px · 2 µm'],
    [16, 0.499, '16 px · 8 µm'],
    [30, 0.5, '30 px · 15 µm'],
  ])('%d px at %s µm/px is %s', (px, mpp, want) => {
    expect(sizeText(px, mpp)).toBe(want);
  });
});
