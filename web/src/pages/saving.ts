// Keeping the workspace's marks in step with the server: refused changes,
// other readers' live changes, what the outbox had not sent, the server's
// version of a saved mark.

import { getAnnotation } from '../api/annotations';
import { ApiError } from '../api/error';
import type { MarkDocument } from '../marks/document';
import type { ViewportLoader } from '../marks/loader';
import { fromFeature, markOf, sameContent, toFeature, type Feature, type ServerMark } from '../marks/mark';
import type { Tally } from '../marks/tally';
import { IndexedDBOutboxStore } from '../sync/idb';
import { MemoryOutboxStore, type OutboxStore } from '../sync/outbox';
import type { SaveQueue } from '../sync/queue';
import { applyChange, openLive, type LiveTarget } from '../sync/live';
import { featureCentre, RefusalDialog } from './refusals';
import { defaultMarkerRadius, type Setup } from './setup';

interface RefusalHandling {
  readonly dialog: RefusalDialog;
  /** revert shows the server's version of a mark whose change was refused, so views and counts hold only what is saved. */
  revert(ref: string): void;
}

/**
 * refusalHandling keeps refused changes out of the marks and the counts: a
 * refused new mark leaves the document, a refused edit or deletion gives
 * way to the server's version. The refused version stays in the outbox,
 * drawn apart, until the user sends it again or discards it.
 */
export function refusalHandling(s: Setup, doc: MarkDocument, queue: SaveQueue, tally: Tally, invalidate: () => void): RefusalHandling {
  const revert = (ref: string): void => {
    const r = queue.refusals().find((x) => x.ref === ref);
    const cur = doc.get(ref) ?? null;
    if (r === undefined) return;
    if (r.serverId === null) {
      if (cur !== null) tally.edit([{ ref, before: cur, after: null }]);
      doc.forget(ref);
      return;
    }
    exactMark(s, r.serverId).then(
      (server) => {
        tally.edit([{ ref, before: doc.get(ref) ?? null, after: server.mark }]);
        queue.track(ref, server.id, server.version);
        doc.show({ ...server.mark, ref });
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) {
          const gone = doc.get(ref);
          if (gone !== undefined) tally.edit([{ ref, before: gone, after: null }]);
          doc.forget(ref);
        } else s.report(err);
      },
    );
  };
  const dialog = new RefusalDialog(queue, (id) => s.palette.byId(id), {
    show: (r) => {
      if (r.feature === null) return;
      const c = featureCentre(r.feature);
      s.viewer.panToImage(c.x, c.y);
    },
    retry: (r) => {
      // Shown again as the user made it while it goes; a second refusal reverts it again.
      if (r.feature !== null) {
        const m = fromFeature({ ...r.feature, id: 0 }, defaultMarkerRadius);
        if (m !== null) {
          tally.edit([{ ref: r.ref, before: doc.get(r.ref) ?? null, after: { ...m.mark, ref: r.ref } }]);
          doc.show({ ...m.mark, ref: r.ref });
        }
      } else if (doc.get(r.ref) !== undefined) {
        tally.edit([{ ref: r.ref, before: doc.get(r.ref) ?? null, after: null }]);
        doc.forget(r.ref);
      }
      queue.retry(r.ref);
      invalidate();
    },
    discard: (r) => {
      queue.discard(r.ref);
      invalidate();
    },
  });
  return { dialog, revert };
}

/** exactMark loads mark id from the service, with its exact shape. */
function exactMark(s: Setup, id: number): Promise<ServerMark> {
  return getAnnotation(s.ctx.api, id, s.signal).then((body) => markOf(body, id, defaultMarkerRadius));
}

interface Live {
  restart(): void;
  close(): void;
}

/**
 * liveUpdates shows other readers' changes as they are saved: the service
 * streams which marks changed, and each is fetched (through the
 * access-checked endpoint, so blinding holds) and shown. Changes apply one
 * after another, in the order they came. After a dropped stream comes back,
 * the view is reloaded, since changes may have been missed meanwhile.
 */
export function liveUpdates(s: Setup, doc: MarkDocument, queue: SaveQueue, loader: ViewportLoader, canvas: HTMLElement, changed: () => void): Live {
  const target: LiveTarget = {
    refOf: (id) => queue.refOf(id),
    pending: (ref) => queue.pending(ref),
    versionOf: (ref) => queue.versionOf(ref),
    fetch: (id) =>
      exactMark(s, id).then(
        (m) => ({
          version: m.version,
          show: (ref: string) => {
            // An undo or redo step of this mark was taken before this change: it keeps the version
            // it was based on, so it meets the change as a conflict instead of silently undoing it.
            if (!doc.historyRefs().has(ref)) queue.track(ref, m.id, m.version);
            loader.saved(ref);
            doc.show({ ...m.mark, ref });
          },
        }),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return undefined;
          throw err;
        },
      ),
    forget: (ref) => {
      if (doc.get(ref) !== undefined) doc.forget(ref);
      queue.untrack(ref);
    },
    reload: () => void loader.refresh(),
    changed,
  };
  let chain = Promise.resolve();
  let opened = 0;
  let close = (): void => undefined;
  const open = (): void => {
    close();
    close = openLive(
      s.slideId,
      (c) => {
        chain = chain.then(() => applyChange(c, target)).catch((err: unknown) => s.report(err));
      },
      () => {
        if (opened++ > 0) void loader.refresh();
        // Tests and people reporting a problem can tell the live stream is up.
        canvas.dataset['live'] = 'open';
      },
    );
  };
  open();
  return { restart: open, close: () => close() };
}

/** loadMarks shows the server's marks around the view, then lays over them what the outbox has not sent yet. */
export async function loadMarks(s: Setup, doc: MarkDocument, queue: SaveQueue, loader: ViewportLoader): Promise<void> {
  const loaded = s.slots.messages.status('Loading marks…');
  try {
    await loader.sync();
  } finally {
    loaded();
  }
  for (const c of queue.changes()) showFeature(doc, c.ref, c.feature);
}

/** outboxStore is IndexedDB where the browser allows it, memory otherwise (some private modes). */
export function outboxStore(): OutboxStore {
  return typeof indexedDB === 'undefined' ? new MemoryOutboxStore() : new IndexedDBOutboxStore(indexedDB);
}

/** adopt shows the server's saved version of ref when its content differs from what is shown (a shape cut at the slide's edge). */
export function adopt(doc: MarkDocument, ref: string, saved: Feature): void {
  const shown = doc.get(ref);
  if (shown === undefined || sameContent(toFeature(shown), saved)) return;
  const m = fromFeature({ ...saved, id: 0 }, defaultMarkerRadius);
  if (m === null) return;
  const author = shown.author ?? m.mark.author;
  doc.show({ ...shown, ...m.mark, ref, ...(author === undefined ? {} : { author }) });
}

/** showFeature displays a feature under ref, or removes ref for null. */
export function showFeature(doc: MarkDocument, ref: string, f: Feature | null): void {
  if (f === null) return doc.forget(ref);
  const m = fromFeature({ ...f, id: 0 }, defaultMarkerRadius);
  if (m !== null) doc.show({ ...m.mark, ref });
}

/**
 * dedupe drops the server's copy of a mark that is also shown under its
 * client ref: after a reload, a create that had landed before the page went
 * away is listed by the server and replayed from the outbox at once.
 */
export function dedupe(doc: MarkDocument, ref: string, id: number | undefined): void {
  if (id === undefined || String(id) === ref || doc.get(String(id)) === undefined) return;
  doc.forget(String(id));
}
