import { containsPoint, distanceSquared, type Rect } from '../viewer/geometry';

/** PointMark is a dot on the slide: the original tool's only mark, still the most common. */
export interface PointMark {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  /** radius in image pixels (the server stores a marker diameter per point). */
  readonly radius: number;
  readonly category: string;
  /** author is the server's author id; absent for marks made here and not yet saved. */
  readonly author?: string;
}

const targetCells = 4096;
const minCellSize = 64;

/**
 * PointLayer keeps point marks in typed arrays bucketed in a uniform grid,
 * so a viewport query touches only the cells it overlaps and 50,000+ marks
 * cost a few megabytes, not 50,000 objects. Slots are stable until removal;
 * freed slots are reused.
 */
export class PointLayer {
  readonly cellSize: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly cells: (number[] | undefined)[];
  private xs = new Float64Array(1024);
  private ys = new Float64Array(1024);
  private rs = new Float32Array(1024);
  private cats = new Uint16Array(1024);
  private auths = new Uint16Array(1024);
  private ids: (string | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly free: number[] = [];
  private readonly categoryIndex = new Map<string, number>();
  private readonly categoryKeys: string[] = [];
  private readonly authorIndex = new Map<string, number>();
  private readonly authorKeys: string[] = [];
  private used = 0;
  private version = 0;
  /** maxRadius only grows: it is a safe culling margin, not an exact one. */
  maxRadius = 0;

  constructor(readonly width: number, readonly height: number) {
    this.cellSize = Math.max(minCellSize, Math.ceil(Math.sqrt((width * height) / targetCells)));
    this.cols = Math.max(1, Math.ceil(width / this.cellSize));
    this.rows = Math.max(1, Math.ceil(height / this.cellSize));
    this.cells = new Array<number[] | undefined>(this.cols * this.rows);
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** revision changes on every edit, so renderers can tell when to redraw. */
  get revision(): number {
    return this.version;
  }

  /** categories lists category keys by their index, the order renderers iterate in. */
  get categories(): readonly string[] {
    return this.categoryKeys;
  }

  /** add inserts a mark or replaces the one with the same id. */
  add(mark: PointMark): void {
    this.remove(mark.id);
    const slot = this.allocate();
    this.xs[slot] = mark.x;
    this.ys[slot] = mark.y;
    this.rs[slot] = mark.radius;
    this.cats[slot] = this.categorySlot(mark.category);
    this.auths[slot] = keySlot(this.authorIndex, this.authorKeys, mark.author ?? '');
    this.ids[slot] = mark.id;
    this.slotOf.set(mark.id, slot);
    this.cellAt(mark.x, mark.y, true).push(slot);
    this.maxRadius = Math.max(this.maxRadius, mark.radius);
    this.version++;
  }

  addAll(marks: Iterable<PointMark>): void {
    for (const m of marks) this.add(m);
  }

  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const cell = this.cellAt(this.xs[slot] as number, this.ys[slot] as number, false);
    const at = cell.indexOf(slot);
    // Order inside a cell does not matter, so swap-remove keeps it O(1) after the search.
    cell[at] = cell[cell.length - 1] as number;
    cell.pop();
    this.ids[slot] = undefined;
    this.slotOf.delete(id);
    this.free.push(slot);
    this.version++;
    return true;
  }

  /** release empties the layer and gives back its buffers (the page is going away). */
  release(): void {
    this.clear();
    this.xs = new Float64Array(0);
    this.ys = new Float64Array(0);
    this.rs = new Float32Array(0);
    this.cats = new Uint16Array(0);
    this.auths = new Uint16Array(0);
  }

  clear(): void {
    this.cells.fill(undefined);
    this.slotOf.clear();
    this.ids = [];
    this.free.length = 0;
    this.used = 0;
    this.version++;
  }

  get(id: string): PointMark | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.markAt(slot);
  }

  markAt(slot: number): PointMark {
    const author = this.authorKeys[this.auths[slot] as number] ?? '';
    return {
      id: this.ids[slot] as string,
      x: this.xs[slot] as number,
      y: this.ys[slot] as number,
      radius: this.rs[slot] as number,
      category: this.categoryKeys[this.cats[slot] as number] as string,
      ...(author === '' ? {} : { author }),
    };
  }

  /** authorOf answers the author key of a slot ('' for unsaved marks). */
  authorOf(slot: number): string {
    return this.authorKeys[this.auths[slot] as number] ?? '';
  }

  x(slot: number): number {
    return this.xs[slot] as number;
  }

  y(slot: number): number {
    return this.ys[slot] as number;
  }

  radius(slot: number): number {
    return this.rs[slot] as number;
  }

  /** categoryOf answers the category index (into `categories`) of a slot. */
  categoryOf(slot: number): number {
    return this.cats[slot] as number;
  }

  /** countByCategory counts live marks per category key. */
  countByCategory(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const slot of this.slotOf.values()) {
      const key = this.categoryKeys[this.cats[slot] as number] as string;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  /** query calls visit for every live slot whose centre lies in rect (image coordinates). */
  query(rect: Rect, visit: (slot: number) => void): void {
    const [c0, r0] = this.cellIndex(rect.x, rect.y);
    const [c1, r1] = this.cellIndex(rect.x + rect.width, rect.y + rect.height);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = this.cells[r * this.cols + c];
        if (cell === undefined) continue;
        // Only cells cut by the query, or border cells (which also hold marks clamped in
        // from outside the image), need a per-mark test.
        const edge = r === r0 || r === r1 || c === c0 || c === c1 || r === this.rows - 1 || c === this.cols - 1;
        for (const slot of cell) {
          if (!edge || containsPoint(rect, this.xs[slot] as number, this.ys[slot] as number)) visit(slot);
        }
      }
    }
  }

  /** nearest finds the mark whose disc is closest to (x, y) within tolerance image pixels. */
  nearest(x: number, y: number, tolerance: number): PointMark | undefined {
    const reach = tolerance + this.maxRadius;
    let best = -1;
    let bestD = Infinity;
    this.query({ x: x - reach, y: y - reach, width: 2 * reach, height: 2 * reach }, (slot) => {
      const d = Math.sqrt(distanceSquared(x, y, this.xs[slot] as number, this.ys[slot] as number)) - (this.rs[slot] as number);
      if (d <= tolerance && d < bestD) {
        best = slot;
        bestD = d;
      }
    });
    return best < 0 ? undefined : this.markAt(best);
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.xs.length) this.grow();
    return this.used++;
  }

  private grow(): void {
    const n = this.xs.length * 2;
    this.xs = copyInto(new Float64Array(n), this.xs);
    this.ys = copyInto(new Float64Array(n), this.ys);
    this.rs = copyInto(new Float32Array(n), this.rs);
    this.cats = copyInto(new Uint16Array(n), this.cats);
    this.auths = copyInto(new Uint16Array(n), this.auths);
  }

  private categorySlot(key: string): number {
    return keySlot(this.categoryIndex, this.categoryKeys, key);
  }

  private cellIndex(x: number, y: number): [number, number] {
    const c = clamp(Math.floor(x / this.cellSize), 0, this.cols - 1);
    const r = clamp(Math.floor(y / this.cellSize), 0, this.rows - 1);
    return [c, r];
  }

  private cellAt(x: number, y: number, create: boolean): number[] {
    const [c, r] = this.cellIndex(x, y);
    const i = r * this.cols + c;
    let cell = this.cells[i];
    if (cell === undefined) {
      cell = [];
      if (create) this.cells[i] = cell;
    }
    return cell;
  }
}

function keySlot(index: Map<string, number>, keys: string[], key: string): number {
  let i = index.get(key);
  if (i === undefined) {
    i = keys.length;
    keys.push(key);
    index.set(key, i);
  }
  return i;
}

function copyInto<T extends Float64Array | Float32Array | Uint16Array>(dst: T, src: T): T {
  dst.set(src);
  return dst;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
