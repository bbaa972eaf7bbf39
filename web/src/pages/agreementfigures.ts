import type { Agreement, CategoryAgreement } from '../api/agreement';

// The agreement page's arithmetic: the service compares two parties on one
// slide; a project's figures pool its slides' counts, so a slide with many
// cells weighs more than one with few, as if the project were one slide.

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/** pooled recomputes one category's ratios from summed counts and areas. */
function pooled(c: Omit<CategoryAgreement, 'precision' | 'recall' | 'f1' | 'iou' | 'dice'>): CategoryAgreement {
  const union = c.area_a + c.area_b - c.area_intersection;
  return {
    ...c,
    precision: ratio(c.matched, c.points_b),
    recall: ratio(c.matched, c.points_a),
    f1: ratio(2 * c.matched, c.points_a + c.points_b),
    iou: ratio(c.area_intersection, union),
    dice: ratio(2 * c.area_intersection, c.area_a + c.area_b),
  };
}

/**
 * combine pools slides' agreements into a project's: per category, matched
 * and unmatched points and region areas are summed and the ratios computed
 * again (F1 = 2·matched / (points a + points b), IoU = intersection / union).
 * Cohen's kappa needs the slides' confusion matrices, which the service does
 * not send: the project's kappa is the slides' kappas weighted by their
 * matched points (kappaPooled false says so).
 */
export function combine(slides: readonly Agreement[]): Agreement & { readonly kappaPooled: boolean } {
  const byCat = new Map<number, Omit<CategoryAgreement, 'precision' | 'recall' | 'f1' | 'iou' | 'dice'>>();
  let matched = 0;
  let kappaSum = 0;
  let kappaWeight = 0;
  for (const ag of slides) {
    matched += ag.matched_points;
    if (ag.kappa !== null && ag.matched_points > 0) {
      kappaSum += ag.kappa * ag.matched_points;
      kappaWeight += ag.matched_points;
    }
    for (const c of ag.categories) {
      const s = byCat.get(c.category_id) ?? { category_id: c.category_id, points_a: 0, points_b: 0, matched: 0, area_a: 0, area_b: 0, area_intersection: 0 };
      byCat.set(c.category_id, {
        ...s,
        points_a: s.points_a + c.points_a,
        points_b: s.points_b + c.points_b,
        matched: s.matched + c.matched,
        area_a: s.area_a + c.area_a,
        area_b: s.area_b + c.area_b,
        area_intersection: s.area_intersection + c.area_intersection,
      });
    }
  }
  const categories = [...byCat.values()].sort((a, b) => a.category_id - b.category_id).map(pooled);
  return {
    distance: slides[0]?.distance ?? 0,
    categories,
    kappa: slides.length === 1 ? (slides[0]?.kappa ?? null) : kappaWeight === 0 ? null : kappaSum / kappaWeight,
    kappaPooled: slides.length <= 1,
    matched_points: matched,
  };
}

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
