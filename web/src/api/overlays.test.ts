import { describe, expect, it } from 'vitest';
import { overlayTitle } from './overlays';

describe('overlayTitle', () => {
  it('names the model version a heatmap came from', () => {
    expect(overlayTitle({ name: 'tumour heatmap', model: { name: 'pathofusion', version: 'v3' } })).toBe('tumour heatmap (pathofusion v3)');
    expect(overlayTitle({ name: 'stain mask', model: null })).toBe('stain mask');
    expect(overlayTitle({ name: 'old overlay' })).toBe('old overlay');
  });
});
