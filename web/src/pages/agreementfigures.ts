import type { Agreement, CategoryAgreement } from '../api/agreement';

// The agreement page's formatting of the service's figures (the service
// pools a project's slides itself).

/** figure writes a ratio with two decimals, or a dash when it is undefined (nothing to compare). */
export function figure(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : v.toFixed(2);
}

/** CategoryCell is what a table cell says of one category: points' F1 with its counts, regions' IoU. */
export interface CategoryCell {
  readonly f1: string;
  readonly iou: string;
  /** detail is the cell's title: the counts behind the figures. */
  readonly detail: string;
}

export function categoryCell(c: CategoryAgreement | undefined): CategoryCell {
  if (c === undefined) return { f1: '—', iou: '—', detail: 'No marks of this category on either side.' };
  const points = c.points_a + c.points_b > 0 ? `${c.matched} matched of ${c.points_a} (model) and ${c.points_b} points` : 'no points';
  const regions = c.area_a + c.area_b > 0 ? `regions ${Math.round(c.area_intersection)} px² shared of ${Math.round(c.area_a)} and ${Math.round(c.area_b)} px²` : 'no regions';
  return { f1: figure(c.f1), iou: figure(c.iou), detail: `${points}; ${regions}` };
}

/** categoriesIn lists the category ids any of the agreements has figures for, in id order. */
export function categoriesIn(list: readonly Agreement[]): number[] {
  const ids = new Set<number>();
  for (const ag of list) for (const c of ag.categories) ids.add(c.category_id);
  return [...ids].sort((a, b) => a - b);
}

/** parseModelRef checks "name@version" as the service takes it; null when it is not one. */
export function parseModelRef(s: string): string | null {
  const t = s.trim();
  const at = t.lastIndexOf('@');
  return at > 0 && at < t.length - 1 ? t : null;
}
