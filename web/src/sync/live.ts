// Live changes of a slide's marks: the annotation service streams a hint per
// committed change (server-sent events); the viewer refetches the marks named
// and shows them, so other readers' marks appear without a reload.

export interface LiveChange {
  readonly slide_id: number;
  readonly kind: 'created' | 'updated' | 'deleted' | 'restored' | 'reviewed' | string;
  readonly ids: readonly number[];
  /** actor_id is who made the change; 0 when the caller may not know (a blinded annotator). */
  readonly actor_id: number;
  readonly at: string;
}

/** parseChange reads a "changed" event's data; null for anything else. */
export function parseChange(data: string): LiveChange | null {
  try {
    const v = JSON.parse(data) as Partial<LiveChange>;
    if (typeof v.slide_id !== 'number' || typeof v.kind !== 'string' || !Array.isArray(v.ids) || !v.ids.every((i) => typeof i === 'number')) return null;
    return { slide_id: v.slide_id, kind: v.kind, ids: v.ids, actor_id: typeof v.actor_id === 'number' ? v.actor_id : 0, at: typeof v.at === 'string' ? v.at : '' };
  } catch {
    return null;
  }
}

/** What applying a change needs of the page: the queue's identities, the document, and the server. */
export interface LiveTarget {
  /** refOf answers the ref the page knows server mark id by, if any. */
  refOf(id: number): string | undefined;
  /** pending: an unsent edit of ref waits; it wins, and its If-Match will meet the change as a conflict. */
  pending(ref: string): boolean;
  versionOf(ref: string): number | undefined;
  /** fetch reads a mark; undefined when it is gone or not to be seen (404). */
  fetch(id: number): Promise<{ readonly version: number; show(ref: string): void } | undefined>;
  forget(ref: string): void;
  /** reload loads the view afresh (many marks changed at once). */
  reload(): void;
  /** changed runs once a change is applied (counts are read again). */
  changed(): void;
}

/** Beyond this many marks in one change, the view is reloaded rather than each mark fetched. */
export const refetchLimit = 50;

/** applyChange brings the page up to date with one change. */
export async function applyChange(c: LiveChange, t: LiveTarget): Promise<void> {
  if (c.ids.length > refetchLimit) {
    t.reload();
    t.changed();
    return;
  }
  await Promise.all(
    c.ids.map(async (id) => {
      if (t.pending(t.refOf(id) ?? String(id))) return;
      const m = c.kind === 'deleted' ? undefined : await t.fetch(id);
      // Which ref the mark goes by is read again after the fetch: the page's
      // own new mark may have been answered meanwhile, and is known by its
      // client ref from then on, not by its id.
      const ref = t.refOf(id) ?? String(id);
      if (t.pending(ref)) return;
      if (m === undefined) return t.forget(ref);
      // The page's own save comes back as a change too: nothing newer to show then.
      const seen = t.versionOf(ref);
      if (seen !== undefined && m.version <= seen) return;
      m.show(ref);
    }),
  );
  t.changed();
}

/**
 * openLive subscribes to a slide's changes; it answers a function that
 * closes the stream. The browser's EventSource reconnects by itself after
 * a network failure; onReady tells each time the stream is (again) open.
 */
export function openLive(slideId: string, onChange: (c: LiveChange) => void, onReady: () => void): () => void {
  if (typeof EventSource === 'undefined') return () => undefined;
  const es = new EventSource(`/api/v1/annotations/events?slide_id=${encodeURIComponent(slideId)}`);
  es.addEventListener('ready', onReady);
  es.addEventListener('changed', (ev) => {
    const c = parseChange((ev as MessageEvent<string>).data);
    if (c !== null) onChange(c);
  });
  return () => es.close();
}
