import type { MarkDocument } from '../marks/document';
import type { Mark } from '../marks/mark';

/** EditContext is what the editing tools share: the marks, the active category, and feedback. */
export interface EditContext {
  readonly doc: MarkDocument;
  /** category answers the active category id, or null when the project has none. */
  category(): string | null;
  newId(): string;
  /** color is the display colour of a category. */
  color(category: string): string;
  /** visible tells whether a mark is shown now (category and annotator filters); hidden marks are not edited. */
  visible(mark: Mark): boolean;
  /** invalidate redraws the overlay, for drafts that change while the pointer moves. */
  invalidate(): void;
  /** notify tells the user why an action did nothing. */
  notify(message: string): void;
  /**
   * exact answers a mark with its real outline, loading it when the view
   * holds it simplified (zoomed out); undefined when it cannot be loaded.
   * Edits are made only on what it answers.
   */
  exact(mark: Mark): Promise<Mark | undefined>;
}

/** hitTolerance is how close, in screen pixels, the pointer must be to take a mark. */
export const hitTolerance = 6;
