import { describe, expect, it } from 'vitest';
import type { Agreement, CategoryAgreement } from '../api/agreement';
import { categoriesIn, categoryCell, figure, parseModelRef } from './agreementfigures';

const cat = (id: number, c: Partial<CategoryAgreement>): CategoryAgreement => ({
  category_id: id, points_a: 0, points_b: 0, matched: 0, precision: null, recall: null, f1: null,
  area_a: 0, area_b: 0, area_intersection: 0, iou: null, dice: null, ...c,
});
const slide = (categories: CategoryAgreement[], kappa: number | null, matched: number): Agreement => ({ distance: 10, categories, kappa, matched_points: matched });

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
