import { describe, expect, it, vi } from 'vitest';
import { FakeAnnotationServer } from '../sync/fakeserver.testutil';
import { MemoryOutboxStore } from '../sync/outbox';
import { SaveQueue } from '../sync/queue';
import { MarkDocument } from './document';
import { FakeMarkSource } from './fakesource.testutil';
import { ViewportLoader, type View } from './loader';
import { defaultLodOptions, type LodOptions } from './lod';
import { toFeature, type Feature, type Mark } from './mark';

const slide = { width: 40_000, height: 30_000 };
const small = { width: 8000, height: 6000 };
const screen = { width: 1000, height: 800 };

function point(x: number, y: number, category = 1, author = 1): Feature {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { category_id: category, radius: 8, author_id: author } };
}

/** circle is a polygon of n corners, so simplification has something to drop. */
function circle(cx: number, cy: number, r: number, n: number): Feature {
  const ring: [number, number][] = [];
  for (let i = 0; i < n; i++) ring.push([cx + r * Math.cos((2 * Math.PI * i) / n), cy + r * Math.sin((2 * Math.PI * i) / n)]);
  ring.push(ring[0] as [number, number]);
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { category_id: 2, shape: 'polygon', author_id: 1 } };
}

/** random is a seeded generator, so every run places the same marks. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

let keys = 0;

async function setup(lod: Partial<LodOptions> = {}, slide = { width: 40_000, height: 30_000 }) {
  const server = new FakeAnnotationServer();
  const source = new FakeMarkSource(server);
  const queue = await SaveQueue.open({ scope: { user: '1', slide: '7' }, store: new MemoryOutboxStore(), transport: server, newKey: () => `k${++keys}`, debounceMs: 5, maxWaitMs: 10 });
  const doc = new MarkDocument(slide.width, slide.height, { put: (m) => queue.put(m.ref, toFeature(m)), remove: (r) => queue.remove(r) }, '1');
  let view: View | null = null;
  let authors: string[] | null = null;
  const loader = new ViewportLoader({ source, ledger: queue, doc, slide, view: () => view, authors: () => authors, lod: { ...defaultLodOptions, ...lod } });
  queue.on({ saved: (ref) => loader.saved(ref) });
  return {
    server,
    source,
    queue,
    doc,
    loader,
    /** look centres the screen on (x, y) at a scale (screen px per image px). */
    look(x: number, y: number, scale: number): void {
      const w = screen.width / scale;
      const h = screen.height / scale;
      view = { rect: { x: x - w / 2, y: y - h / 2, width: w, height: h }, scale };
    },
    show(a: string[] | null): void {
      authors = a;
    },
  };
}

const refs = (doc: MarkDocument): string[] => [...doc.all()].map((m) => m.ref).sort();

describe('ViewportLoader', () => {
  it('holds counts per cell, and no mark, when marks are specks', async () => {
    const t = await setup();
    for (let i = 0; i < 50; i++) t.server.insert(point(100 + i * 10, 100, 1 + (i % 2)));
    t.server.insert(point(20_000, 20_000, 1));
    t.look(20_000, 15_000, 0.02);
    await t.loader.sync();
    expect(t.source.calls).toEqual(['grid 4096']);
    expect(t.loader.state).toMatchObject({ kind: 'grid', cell: 4096, dense: false, marks: 0 });
    expect(t.doc.size).toBe(0);
    expect(t.loader.density?.total()).toBe(51);
    expect([...(t.loader.density?.cells() ?? [])].map((c) => Object.fromEntries(c.counts))).toEqual([{ '1': 25, '2': 25 }, { '1': 1 }]);
  });

  it('holds the marks of the region around the view, exact and tracked, when zoomed in', async () => {
    const t = await setup();
    t.server.insert(point(1000, 1000));
    t.server.insert(point(1200, 1100));
    t.server.insert(point(30_000, 20_000));
    t.look(1000, 1000, 1);
    await t.loader.sync();
    expect(t.source.calls).toEqual(['grid 1024', 'marks']);
    expect(refs(t.doc)).toEqual(['100', '101']);
    expect(t.queue.serverId('101')).toBe(101);
    expect(t.loader.complete).toBe(false);
    expect(t.loader.state).toMatchObject({ kind: 'marks', tolerance: 0, marks: 2 });
  });

  it('holds every mark, and says so, when the whole slide is in view', async () => {
    const t = await setup({}, small);
    t.server.insert(point(1000, 1000));
    t.server.insert(point(7000, 5000));
    t.look(4000, 3000, 0.1);
    await t.loader.sync();
    expect(t.doc.size).toBe(2);
    expect(t.loader.complete).toBe(true);
    // Panning inside what is held asks nothing more.
    t.look(4500, 3000, 0.1);
    await t.loader.sync();
    expect(t.source.calls).toHaveLength(2);
  });

  it('shows counts instead when the region holds more marks than one request may bring', async () => {
    const t = await setup({ limit: 100 });
    const rnd = random(1);
    for (let i = 0; i < 300; i++) t.server.insert(point(rnd() * 4000, rnd() * 3000));
    t.look(2000, 1500, 0.25);
    await t.loader.sync();
    // The counts said so: the marks were not even asked.
    expect(t.source.calls).toEqual(['grid 1024']);
    expect(t.loader.state).toMatchObject({ kind: 'grid', dense: true });
    expect(t.loader.density?.total()).toBe(300);
    // Zoomed in on a quarter of them: marks again.
    t.look(500, 400, 1);
    await t.loader.sync();
    expect(t.loader.state?.kind).toBe('marks');
    expect(t.doc.size).toBeGreaterThan(0);
    expect(t.doc.size).toBeLessThanOrEqual(100);
    expect(t.loader.density).toBeNull();
  });

  it('falls back to counts when the server cuts the list short', async () => {
    const t = await setup({ limit: 10 });
    // Marks whose centres lie in a cell outside the region (it ends at x 1792) but whose boxes reach in: the counts miss them.
    for (let i = 0; i < 20; i++) t.server.insert({ ...point(2100 + i, 1000), properties: { category_id: 1, radius: 400 } });
    t.look(1000, 1000, 1);
    await t.loader.sync();
    expect(t.source.calls).toEqual(['grid 1024', 'marks']);
    expect(t.loader.state).toMatchObject({ kind: 'grid', dense: true });
    expect(t.doc.size).toBe(0);
  });

  it('keeps memory to the region on a slide of many marks, whatever the user does', async () => {
    const t = await setup({ limit: 2000 });
    const rnd = random(7);
    for (let i = 0; i < 20_000; i++) t.server.insert(point(rnd() * slide.width, rnd() * slide.height, 1 + (i % 3)));
    const path: [number, number, number][] = [
      [20_000, 15_000, 0.02], [5000, 5000, 1], [6000, 5000, 1], [30_000, 20_000, 0.5], [10_000, 10_000, 0.15], [10_000, 10_000, 0.08], [39_000, 29_000, 2],
    ];
    // An unsaved point far from every view stays, being the user's.
    t.queue.close();
    t.doc.commit([{ ref: 'mine', after: { ref: 'mine', category: '1', geometry: { kind: 'point', x: 39_900, y: 100, radius: 8 } } }]);
    for (const [x, y, s] of path) {
      t.look(x, y, s);
      await t.loader.sync();
      const state = t.loader.state;
      expect(t.doc.size).toBeLessThanOrEqual(2000 + 1);
      expect(t.doc.get('mine')).toBeDefined();
      if (state?.kind === 'marks') expect(t.doc.size).toBe(state.marks + 1);
      else expect(t.doc.size).toBe(1);
      // Server identities of marks let go are let go too.
      for (let id = 100; id < 20_100; id += 997) {
        expect(t.queue.refOf(id) === undefined).toBe(t.doc.get(String(id)) === undefined);
      }
    }
    expect(t.source.calls.filter((c) => c === 'marks').length).toBeGreaterThan(2);
  });

  it('holds shapes thinned when zoomed out, loads the exact one to edit, and keeps it', async () => {
    const t = await setup();
    t.server.insert(circle(5000, 5000, 2000, 64));
    t.server.insert(point(5000, 5000));
    t.look(5000, 5000, 0.25);
    await t.loader.sync();
    expect(t.source.calls).toEqual(['grid 1024', 'marks thinned 2']);
    const shape = t.doc.get('100') as Mark;
    expect(shape.simplified).toBe(true);
    expect(t.doc.get('101')?.simplified).toBeUndefined();
    const exact = await t.loader.exact(shape);
    expect(exact?.simplified).toBeUndefined();
    expect(exact?.geometry.kind === 'polygon' && exact.geometry.rings[0]?.length).toBe(65);
    // A new load at the same zoom does not trade the exact outline for a thinned one.
    await t.loader.refresh();
    expect(t.doc.get('100')?.simplified).toBeUndefined();
    // An edit is possible and keeps every corner.
    t.doc.commit([{ ref: '100', after: { ...(t.doc.get('100') as Mark), category: '1' } }]);
    const g = t.doc.get('100')?.geometry;
    expect(g?.kind === 'polygon' ? g.rings[0] : undefined).toHaveLength(65);
  });

  it('asks exact shapes again when zooming in past what the thinned ones are good for, and not for points', async () => {
    const t = await setup();
    t.server.insert(point(5000, 5000));
    t.look(5000, 5000, 0.25);
    await t.loader.sync();
    t.look(5000, 5000, 1);
    await t.loader.sync();
    // Only points: their thinned answer was exact already.
    expect(t.source.calls).toEqual(['grid 1024', 'marks thinned 2']);
    t.server.insert(circle(5000, 5000, 300, 32));
    t.look(5000, 5000, 0.25);
    await t.loader.refresh();
    t.look(5000, 5000, 1);
    await t.loader.sync();
    expect(t.source.calls.slice(-1)).toEqual(['marks']);
    expect(t.doc.get('101')?.simplified).toBeUndefined();
  });

  it('keeps unsent edits and edits made while a load was on its way', async () => {
    const t = await setup();
    t.server.insert(point(1000, 1000));
    t.server.insert(point(1100, 1000));
    t.look(1000, 1000, 1);
    await t.loader.sync();
    const release = t.source.hold();
    const loading = t.loader.refresh();
    // Moved while the server was answering with the old place.
    const moved = { ...(t.doc.get('100') as Mark), geometry: { kind: 'point' as const, x: 1500, y: 1500, radius: 8 } };
    t.doc.commit([{ ref: '100', after: moved }]);
    t.doc.commit([{ ref: '101', after: null }]);
    release();
    await loading;
    expect(t.doc.get('100')?.geometry).toEqual(moved.geometry);
    expect(t.doc.get('101')).toBeUndefined();
  });

  it('knows a mark made here under its own ref once saved: no second copy', async () => {
    vi.useFakeTimers();
    try {
      const t = await setup();
      t.look(1000, 1000, 1);
      await t.loader.sync();
      t.doc.commit([{ ref: 'client-1', after: { ref: 'client-1', category: '1', geometry: { kind: 'point', x: 1000, y: 1000, radius: 8 } } }]);
      await vi.advanceTimersByTimeAsync(50);
      expect(t.queue.status().state).toBe('saved');
      await t.loader.refresh();
      expect(refs(t.doc)).toEqual(['client-1']);
      expect(t.queue.serverId('client-1')).toBe(100);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not take an older version than the one just saved here', async () => {
    vi.useFakeTimers();
    try {
      const t = await setup();
      t.server.insert(point(1000, 1000));
      t.look(1000, 1000, 1);
      await t.loader.sync();
      const release = t.source.hold();
      const stale = t.source.marks({ x0: 0, y0: 0, x1: 2000, y1: 2000 }, 10, 0, new AbortController().signal);
      release();
      const page = await stale;
      t.doc.commit([{ ref: '100', after: { ...(t.doc.get('100') as Mark), category: '2' } }]);
      await vi.advanceTimersByTimeAsync(50);
      expect(t.queue.versionOf('100')).toBe(2);
      // A later load answered from before the save (a lagging replica, a slow proxy).
      const orig = t.source.marks.bind(t.source);
      t.source.marks = async () => page;
      await t.loader.refresh();
      t.source.marks = orig;
      expect(t.doc.get('100')?.category).toBe('2');
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks counts per shown author when some are hidden', async () => {
    const t = await setup();
    t.server.insert(point(1000, 1000, 1, 7));
    t.server.insert(point(1000, 1000, 1, 8));
    t.server.insert(point(1000, 1000, 2, 9));
    t.look(20_000, 15_000, 0.02);
    t.show(['7', '9']);
    await t.loader.sync();
    expect(t.source.calls).toEqual(['grid 4096', 'grid 4096 by 7', 'grid 4096 by 9']);
    expect(t.loader.density?.total()).toBe(2);
    // Showing everyone again is a different view of the counts.
    t.show(null);
    await t.loader.sync();
    expect(t.loader.density?.total()).toBe(3);
  });

  it('starts over when refreshed while a load is on its way (it may predate what changed)', async () => {
    const t = await setup();
    t.look(1000, 1000, 1);
    const release = t.source.hold();
    const first = t.loader.sync();
    t.server.insert(point(1000, 1000));
    const second = t.loader.refresh();
    release();
    await Promise.all([first, second]);
    expect(t.source.calls).toEqual(['grid 1024', 'grid 1024', 'marks']);
    expect(refs(t.doc)).toEqual(['100']);
  });

  it('reports a failed load once, and loads when asked again', async () => {
    const t = await setup();
    t.server.insert(point(1000, 1000));
    const failures: unknown[] = [];
    t.loader.on({ failed: (err) => failures.push(err) });
    t.source.down = true;
    t.look(1000, 1000, 1);
    await t.loader.sync();
    await t.loader.sync();
    expect(failures).toHaveLength(1);
    expect(t.loader.state).toBeNull();
    t.source.down = false;
    await t.loader.refresh();
    expect(t.doc.size).toBe(1);
  });

  it('waits for the view to rest before loading, and loads once', async () => {
    vi.useFakeTimers();
    try {
      const t = await setup();
      t.server.insert(point(1000, 1000));
      for (let i = 0; i < 10; i++) {
        t.look(1000 + i * 500, 1000, 1);
        t.loader.viewChanged();
        await vi.advanceTimersByTimeAsync(40);
      }
      expect(t.source.calls).toEqual([]);
      await vi.advanceTimersByTimeAsync(200);
      expect(t.source.calls).toEqual(['grid 1024', 'marks']);
      // Resting where it is loaded asks nothing.
      t.loader.viewChanged();
      await vi.advanceTimersByTimeAsync(500);
      expect(t.source.calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
