import { describe, expect, it } from 'vitest';
import { exportRequest, selectionSummary, type ExportChoice } from './exports';

const base: ExportChoice = { formats: ['geojson'], review: 'all', slideIds: [], categoryIds: [], authorIds: [], patchSizes: '64, 128', patchFormat: 'png', edge: 'pad' };

describe('exportRequest', () => {
  it.each([
    { name: 'all marks: empty lists are left out', c: base, want: { body: { project_id: 9, formats: ['geojson'], review: 'all' } } },
    { name: 'a selection', c: { ...base, slideIds: [3, 1], categoryIds: [5], authorIds: [2], review: 'accepted' },
      want: { body: { project_id: 9, formats: ['geojson'], review: 'accepted', slide_ids: [3, 1], category_ids: [5], author_ids: [2] } } },
    { name: 'patch settings only with a patch format', c: { ...base, formats: ['csv', 'patches'], patchSizes: '256 64,64', patchFormat: 'jpeg', edge: 'skip' },
      want: { body: { project_id: 9, formats: ['csv', 'patches'], review: 'all', patch_sizes: [64, 256], patch_format: 'jpeg', edge: 'skip' } } },
    { name: 'no format', c: { ...base, formats: [] }, want: { error: 'Choose at least one format.' } },
    { name: 'a size too small', c: { ...base, formats: ['pathofusion'], patchSizes: '64, 4' }, want: { error: 'Patch size "4" must be a whole number of pixels from 8 to 2048.' } },
    { name: 'a size that is no number', c: { ...base, formats: ['patches'], patchSizes: '64px' }, want: { error: 'Patch size "64px" must be a whole number of pixels from 8 to 2048.' } },
    { name: 'no size', c: { ...base, formats: ['patches'], patchSizes: ' , ' }, want: { error: 'Give at least one patch size.' } },
  ])('$name', ({ c, want }) => {
    expect(exportRequest(9, c)).toEqual(want);
  });
});

describe('selectionSummary', () => {
  it.each([
    { name: 'everything', p: { formats: ['csv'], review: 'all', slide_ids: [], patch_sizes: [64] }, want: 'all slides, all categories, all authors, all reviews' },
    { name: 'a selection with patches', p: { formats: ['patches'], review: 'accepted', slide_ids: [1], category_ids: [2, 3], author_ids: [4], patch_sizes: [64, 128] },
      want: '1 slide, 2 categories, 1 author, accepted only, 64/128 px' },
  ])('$name', ({ p, want }) => {
    expect(selectionSummary(p)).toBe(want);
  });
});
