import { describe, expect, it } from 'vitest';
import type { Agreement, CategoryAgreement } from '../api/agreement';
import { categoriesIn, categoryCell, combine, figure, parseModelRef } from './agreementfigures';

const cat = (id: number, c: Partial<CategoryAgreement>): CategoryAgreement => ({
  category_id: id, points_a: 0, points_b: 0, matched: 0, precision: null, recall: null, f1: null,
  area_a: 0, area_b: 0, area_intersection: 0, iou: null, dice: null, ...c,
});
const slide = (categories: CategoryAgreement[], kappa: number | null, matched: number): Agreement => ({ distance: 10, categories, kappa, matched_points: matched });

describe('combine', () => {
  it('pools points and areas over slides and computes the ratios again, not their mean', () => {
    const a = slide([cat(3, { points_a: 10, points_b: 10, matched: 10, f1: 1 }), cat(5, { area_a: 100, area_b: 100, area_intersection: 100, iou: 1 })], 1, 10);
    const b = slide([cat(3, { points_a: 90, points_b: 60, matched: 30, f1: 0.4 }), cat(5, { area_a: 300, area_b: 100, area_intersection: 0, iou: 0 })], 0.5, 30);
    const got = combine([a, b]);
    const tumour = got.categories.find((c) => c.category_id === 3);
    // F1 = 2·40 / (100 + 70); the mean of the slides' F1 would be 0.7.
    expect(tumour?.f1).toBeCloseTo(80 / 170, 10);
    expect(tumour?.recall).toBeCloseTo(40 / 100, 10);
    expect(tumour?.precision).toBeCloseTo(40 / 70, 10);
    const region = got.categories.find((c) => c.category_id === 5);
    // IoU = 100 / (400 + 200 − 100).
    expect(region?.iou).toBeCloseTo(100 / 500, 10);
    expect(region?.f1).toBeNull();
    expect(got.matched_points).toBe(40);
    // κ weighted by matched points: (1·10 + 0.5·30) / 40.
    expect(got.kappa).toBeCloseTo(25 / 40, 10);
    expect(got.kappaPooled).toBe(false);
  });

  it('keeps one slide as it is, and says nothing where nothing compares', () => {
    const one = combine([slide([cat(3, { points_a: 4, points_b: 2, matched: 2 })], 0.8, 2)]);
    expect(one.kappa).toBe(0.8);
    expect(one.kappaPooled).toBe(true);
    expect(one.categories[0]?.f1).toBeCloseTo(4 / 6, 10);
    const none = combine([slide([], null, 0), slide([], null, 0)]);
    expect(none).toMatchObject({ categories: [], kappa: null, matched_points: 0 });
    expect(combine([]).kappa).toBeNull();
  });
});

describe('words', () => {
  it('writes two decimals or a dash, never a made-up 0', () => {
    expect(figure(0.8333)).toBe('0.83');
    expect(figure(null)).toBe('—');
    expect(categoryCell(undefined)).toMatchObject({ f1: '—', iou: '—' });
    const c = categoryCell(cat(3, { points_a: 4, points_b: 2, matched: 2, f1: 2 / 3 }));
    expect(c).toEqual({ f1: '0.67', iou: '—', detail: '2 matched of 4 (model) and 2 points; no regions' });
  });

  it('lists the categories any answer has, and reads model versions as name@version', () => {
    expect(categoriesIn([slide([cat(5, {}), cat(3, {})], null, 0), slide([cat(4, {})], null, 0)])).toEqual([3, 4, 5]);
    expect(parseModelRef(' pathofusion@v3 ')).toBe('pathofusion@v3');
    expect(parseModelRef('unet@2@b')).toBe('unet@2@b');
    expect(parseModelRef('pathofusion')).toBeNull();
    expect(parseModelRef('@v3')).toBeNull();
    expect(parseModelRef('pathofusion@')).toBeNull();
  });
});
