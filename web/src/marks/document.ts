import { PointLayer, type PointMark } from '../overlay/points';
import type { Mark } from './mark';

/** Change is a mark's state after an edit: null means deleted. */
export interface Change {
  readonly ref: string;
  readonly after: Mark | null;
}

interface Step {
  readonly ref: string;
  readonly before: Mark | null;
  readonly after: Mark | null;
}

/** Sink receives every user edit, in order: the save queue. */
export interface Sink {
  put(mark: Mark): void;
  remove(ref: string): void;
}

const undoDepth = 500;

/**
 * MarkDocument is the slide's marks as the user sees them: points in a
 * spatial index for drawing, shapes in a map, and the undo history. User
 * edits (commit, undo, redo) go to the sink; what the server sends (show,
 * forget) does not.
 */
export class MarkDocument {
  readonly points: PointLayer;
  private readonly marks = new Map<string, Mark>();
  private readonly shapeMarks = new Map<string, Mark>();
  private readonly undoStack: Step[][] = [];
  private readonly redoStack: Step[][] = [];
  private readonly listeners = new Set<() => void>();
  private shapeRevision = 0;

  constructor(
    width: number,
    height: number,
    private readonly sink: Sink,
  ) {
    this.points = new PointLayer(width, height);
  }

  get size(): number {
    return this.marks.size;
  }

  get(ref: string): Mark | undefined {
    return this.marks.get(ref);
  }

  all(): IterableIterator<Mark> {
    return this.marks.values();
  }

  /** shapes are the marks that are not points; few enough to draw one by one. */
  shapes(): IterableIterator<Mark> {
    return this.shapeMarks.values();
  }

  /** revision changes whenever any shape changes, so renderers can cache. */
  get shapesRevision(): number {
    return this.shapeRevision;
  }

  /** show displays a mark the server has (or the outbox holds), without recording an edit. */
  show(mark: Mark): void {
    this.set(mark.ref, mark);
    this.emit();
  }

  showAll(marks: Iterable<Mark>): void {
    for (const m of marks) this.set(m.ref, m);
    this.emit();
  }

  /** forget removes a mark from view only. */
  forget(ref: string): void {
    this.set(ref, null);
    this.emit();
  }

  /** commit applies one user edit of one or more marks as a single undo step. */
  commit(changes: readonly Change[]): void {
    const steps = changes.map((c) => ({ ref: c.ref, before: this.marks.get(c.ref) ?? null, after: c.after }));
    if (steps.length === 0) return;
    this.undoStack.push(steps);
    if (this.undoStack.length > undoDepth) this.undoStack.shift();
    this.redoStack.length = 0;
    this.play(steps.map((s) => [s.ref, s.after]));
  }

  canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  undo(): boolean {
    const steps = this.undoStack.pop();
    if (steps === undefined) return false;
    this.redoStack.push(steps);
    this.play(steps.map((s) => [s.ref, s.before]).reverse() as [string, Mark | null][]);
    return true;
  }

  redo(): boolean {
    const steps = this.redoStack.pop();
    if (steps === undefined) return false;
    this.undoStack.push(steps);
    this.play(steps.map((s) => [s.ref, s.after]));
    return true;
  }

  countByCategory(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.marks.values()) counts.set(m.category, (counts.get(m.category) ?? 0) + 1);
    return counts;
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private play(states: readonly (readonly [string, Mark | null])[]): void {
    for (const [ref, mark] of states) {
      this.set(ref, mark);
      if (mark === null) this.sink.remove(ref);
      else this.sink.put(mark);
    }
    this.emit();
  }

  private set(ref: string, mark: Mark | null): void {
    const old = this.marks.get(ref);
    if (old !== undefined && old.geometry.kind !== 'point') this.shapeRevision++;
    this.points.remove(ref);
    this.shapeMarks.delete(ref);
    if (mark === null) {
      this.marks.delete(ref);
      return;
    }
    this.marks.set(ref, mark);
    if (mark.geometry.kind === 'point') {
      this.points.add(pointOf(mark));
    } else {
      this.shapeMarks.set(ref, mark);
      this.shapeRevision++;
    }
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}

function pointOf(m: Mark): PointMark {
  const g = m.geometry as Extract<Mark['geometry'], { kind: 'point' }>;
  return { id: m.ref, x: g.x, y: g.y, radius: g.radius, category: m.category };
}
