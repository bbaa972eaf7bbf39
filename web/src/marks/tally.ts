import type { Progress } from '../api/review';
import type { Edit } from './document';

type Counts = Map<string, Map<string, number>>;

/** Snapshot is the local edits counted when a fetch of the server's counts began. */
export type Snapshot = Counts;

/**
 * Tally is the slide's mark counts per author and category when the viewer
 * holds only the marks around the view: the service's counts (its per
 * annotator progress) plus the user's edits made since they were read.
 * Fetching them while edits are on their way would count those twice, so a
 * fetch starts with begin() and ends with settle(), which keeps only the
 * edits made in between.
 */
export class Tally {
  private server: Counts = new Map();
  private delta: Counts = new Map();
  private known = false;

  constructor(private readonly me: string) {}

  /** ready tells whether the server's counts were read at least once. */
  get ready(): boolean {
    return this.known;
  }

  /** edit counts a user edit: one less of what was before, one more of what is after. */
  edit(edits: readonly Edit[]): void {
    for (const e of edits) {
      if (e.before !== null) bump(this.delta, e.before.author ?? this.me, e.before.category, -1);
      if (e.after !== null) bump(this.delta, e.after.author ?? e.before?.author ?? this.me, e.after.category, 1);
    }
  }

  begin(): Snapshot {
    return copy(this.delta);
  }

  /** settle takes the server's counts read after begin() answered snapshot. */
  settle(progress: readonly Progress[], snapshot: Snapshot): void {
    const server: Counts = new Map();
    for (const p of progress) for (const [cat, n] of Object.entries(p.counts ?? {})) bump(server, String(p.user_id), cat, n);
    this.server = server;
    for (const [author, cats] of snapshot) for (const [cat, n] of cats) bump(this.delta, author, cat, -n);
    this.known = true;
  }

  /** byCategory counts marks per category over the authors shown. */
  byCategory(shown: (author: string) => boolean = () => true): Map<string, number> {
    const out = new Map<string, number>();
    this.each((author, cat, n) => {
      if (shown(author)) out.set(cat, (out.get(cat) ?? 0) + n);
    });
    return out;
  }

  /** byAuthor counts marks per author, of every category. */
  byAuthor(): Map<string, number> {
    const out = new Map<string, number>();
    this.each((author, _cat, n) => out.set(author, (out.get(author) ?? 0) + n));
    return out;
  }

  total(): number {
    let n = 0;
    this.each((_a, _c, k) => (n += k));
    return n;
  }

  private each(fn: (author: string, category: string, n: number) => void): void {
    const sum: Counts = copy(this.server);
    for (const [author, cats] of this.delta) for (const [cat, n] of cats) bump(sum, author, cat, n);
    for (const [author, cats] of sum) for (const [cat, n] of cats) if (n > 0) fn(author, cat, n);
  }
}

function bump(c: Counts, author: string, category: string, n: number): void {
  let cats = c.get(author);
  if (cats === undefined) {
    cats = new Map();
    c.set(author, cats);
  }
  const v = (cats.get(category) ?? 0) + n;
  if (v === 0) cats.delete(category);
  else cats.set(category, v);
  if (cats.size === 0) c.delete(author);
}

function copy(c: Counts): Counts {
  return new Map([...c].map(([a, cats]) => [a, new Map(cats)]));
}
