import type { Slide } from '../api/types';

export type Tab = 'all' | 'todo' | 'in_progress' | 'done';

export const tabs: readonly (readonly [Tab, string])[] = [
  ['all', 'All'],
  ['todo', 'To do'],
  ['in_progress', 'In progress'],
  ['done', 'Done'],
];

/**
 * filterSlides keeps the slides that match the search (name, case or stain,
 * case-insensitive) and the tab, judged by the signed-in annotator's own
 * status on each slide: the original's unlabeled/labeled tabs.
 */
export function filterSlides(slides: readonly Slide[], query: string, tab: Tab, mine: ReadonlyMap<string, string>): Slide[] {
  const q = query.trim().toLowerCase();
  return slides.filter((s) => {
    const text = `${s.name} ${s.case_id ?? ''} ${s.stain ?? ''}`.toLowerCase();
    if (q !== '' && !text.includes(q)) return false;
    const status = mine.get(String(s.id)) ?? 'not_started';
    if (tab === 'todo') return status === 'not_started';
    if (tab === 'in_progress' || tab === 'done') return status === tab;
    return true;
  });
}
