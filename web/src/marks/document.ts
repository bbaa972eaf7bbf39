import { PointLayer, type PointMark } from '../overlay/points';
import type { Point } from '../viewer/geometry';
import type { Mark } from './mark';
import { clampGeometry, geometryBounds, hits } from './shapes';

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

/** Edit is one mark's change by the user (commit, undo or redo), for running counts. */
export interface Edit {
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
  private readonly editListeners = new Set<(edits: readonly Edit[]) => void>();
  private shapeRevision = 0;

  /** author stamps new marks made here, so per-annotator views include them before they are saved. */
  constructor(
    readonly width: number,
    readonly height: number,
    private readonly sink: Sink,
    private readonly author?: string,
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

  /** replace forgets some marks and shows others from the server in one change (a new viewport). */
  replace(forget: Iterable<string>, show: Iterable<Mark>): void {
    for (const ref of forget) this.set(ref, null);
    for (const m of show) this.set(m.ref, m);
    this.emit();
  }

  /** release drops every mark and the undo history (the page is going away): see MarkOverlay.destroy. */
  release(): void {
    this.marks.clear();
    this.shapeMarks.clear();
    this.undoStack.length = 0;
    this.redoStack.length = 0;
    this.points.release();
    this.listeners.clear();
    this.editListeners.clear();
  }

  /** historyRefs lists the marks the undo and redo steps name: their server identity must be kept. */
  historyRefs(): Set<string> {
    const out = new Set<string>();
    for (const stack of [this.undoStack, this.redoStack]) for (const steps of stack) for (const s of steps) out.add(s.ref);
    return out;
  }

  /**
   * commit applies one user edit of one or more marks as a single undo step.
   * A simplified mark is refused: the tools load the exact shape first, and
   * saving a thinned outline would lose vertices for good.
   */
  commit(changes: readonly Change[]): void {
    for (const c of changes) {
      if (c.after?.simplified === true || this.marks.get(c.ref)?.simplified === true) {
        throw new Error(`edit mark ${c.ref}: only its simplified outline is loaded`);
      }
    }
    const steps = changes.map((c) => ({ ref: c.ref, before: this.marks.get(c.ref) ?? null, after: this.stamp(c.after) }));
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

  /**
   * hitTest finds the mark under p (image pixels) among those visible:
   * points first, since they are small and sit on top, then shapes, the
   * most recently added first.
   */
  hitTest(p: Point, tolerance: number, visible: (m: Mark) => boolean = () => true): Mark | undefined {
    const dot = this.points.nearest(p.x, p.y, tolerance);
    const mark = dot === undefined ? undefined : this.marks.get(dot.id);
    if (mark !== undefined && visible(mark)) return mark;
    const shapes = [...this.shapeMarks.values()];
    for (let i = shapes.length - 1; i >= 0; i--) {
      const s = shapes[i] as Mark;
      const b = geometryBounds(s.geometry);
      if (p.x < b.x - tolerance || p.y < b.y - tolerance || p.x > b.x + b.width + tolerance || p.y > b.y + b.height + tolerance) continue;
      if (visible(s) && hits(s, p, tolerance)) return s;
    }
    return undefined;
  }

  countByCategory(visible: (m: Mark) => boolean = () => true): Map<string, number> {
    return this.count((m) => m.category, visible);
  }

  /** countByAuthor counts marks per author; unsaved marks count for this document's author. */
  countByAuthor(): Map<string, number> {
    return this.count((m) => m.author ?? this.author ?? '', () => true);
  }

  private count(key: (m: Mark) => string, visible: (m: Mark) => boolean): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.marks.values()) {
      if (!visible(m)) continue;
      const k = key(m);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return counts;
  }

  /** stamp gives a new mark its author and keeps every edit inside the slide. */
  private stamp(m: Mark | null): Mark | null {
    if (m === null) return null;
    const geometry = clampGeometry(m.geometry, this.width, this.height);
    const author = m.author ?? this.author;
    return { ...m, geometry, ...(author === undefined ? {} : { author }) };
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** onEdit reports user edits (not what the server shows), before the change listeners run. */
  onEdit(fn: (edits: readonly Edit[]) => void): () => void {
    this.editListeners.add(fn);
    return () => this.editListeners.delete(fn);
  }

  private play(states: readonly (readonly [string, Mark | null])[]): void {
    const edits: Edit[] = [];
    for (const [ref, mark] of states) {
      edits.push({ ref, before: this.marks.get(ref) ?? null, after: mark });
      this.set(ref, mark);
      if (mark === null) this.sink.remove(ref);
      else this.sink.put(mark);
    }
    for (const fn of this.editListeners) fn(edits);
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
  return { id: m.ref, x: g.x, y: g.y, radius: g.radius, category: m.category, ...(m.author === undefined ? {} : { author: m.author }) };
}
