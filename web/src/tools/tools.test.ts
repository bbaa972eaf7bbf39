import { describe, expect, it } from 'vitest';
import { MarkDocument } from '../marks/document';
import type { Mark } from '../marks/mark';
import type { EditContext } from './context';
import { insideRing } from '../marks/shapes';
import { BrushTool } from './brush';
import { DragShapeTool, PolygonTool } from './draw';
import { EraserTool } from './eraser';
import { SelectTool } from './select';
import type { ToolPointer } from './tool';

// Screen = image × 2, so tolerances in screen pixels halve in image pixels.
const scale = 2;

function at(x: number, y: number, quick = true): ToolPointer {
  return { image: { x, y }, screen: { x: x * scale, y: y * scale }, shift: false, quick, scale };
}

interface Setup {
  ctx: EditContext;
  doc: MarkDocument;
  notes: string[];
  sent: string[];
  /** full holds the exact outline of marks shown simplified, as the server would answer it. */
  full: Map<string, Mark>;
  /** loads lists the marks whose exact outline a tool asked for. */
  loads: string[];
}

function setup(): Setup {
  const sent: string[] = [];
  const doc = new MarkDocument(10_000, 10_000, { put: (m) => sent.push(`put ${m.ref}`), remove: (r) => sent.push(`remove ${r}`) });
  const notes: string[] = [];
  const full = new Map<string, Mark>();
  const loads: string[] = [];
  let n = 0;
  const ctx: EditContext = {
    doc,
    category: () => '3',
    newId: () => `m${++n}`,
    color: () => '#ff0000',
    visible: () => true,
    invalidate: () => undefined,
    notify: (msg) => notes.push(msg),
    // As the viewport loader does: a simplified mark is replaced by its exact outline.
    exact: async (m) => {
      if (m.simplified !== true) return m;
      loads.push(m.ref);
      await Promise.resolve();
      const exact = full.get(m.ref);
      if (exact === undefined) return undefined;
      doc.show(exact);
      return doc.get(m.ref);
    },
  };
  return { ctx, doc, notes, sent, full, loads };
}

/** outer answers the outline of an area mark. */
function outer(m: Mark | undefined): readonly (readonly [number, number])[] | undefined {
  const g = m?.geometry;
  return g === undefined || g.kind === 'point' || g.kind === 'polyline' ? undefined : g.rings[0];
}

/** settle lets the exact loads (promises) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** octagon is a shape with many corners, and its simplified outline (a square) as a zoomed-out view holds it. */
function octagon(ref: string): { exact: Mark; simplified: Mark } {
  const ring: [number, number][] = [[100, 0], [200, 0], [300, 100], [300, 200], [200, 300], [100, 300], [0, 200], [0, 100], [100, 0]];
  const exact: Mark = { ref, category: '1', geometry: { kind: 'polygon', rings: [ring] } };
  const square: [number, number][] = [[100, 0], [300, 100], [200, 300], [0, 200], [100, 0]];
  return { exact, simplified: { ...exact, geometry: { kind: 'polygon', rings: [square] }, simplified: true } };
}

function drag(tool: { press?(p: ToolPointer): boolean; drag?(p: ToolPointer): boolean; release?(p: ToolPointer): boolean }, path: [number, number][]): void {
  const [x0, y0] = path[0] as [number, number];
  tool.press?.(at(x0, y0, false));
  for (const [x, y] of path.slice(1)) tool.drag?.(at(x, y, false));
  const [x1, y1] = path[path.length - 1] as [number, number];
  tool.release?.(at(x1, y1, false));
}

function key(k: string, extra: Partial<KeyboardEventInit> & { code?: string } = {}): KeyboardEvent {
  return { key: k, shiftKey: false, code: '', ...extra } as unknown as KeyboardEvent;
}

const dot = (ref: string, x: number, y: number): Mark => ({ ref, category: '1', geometry: { kind: 'point', x, y, radius: 4 } });

describe('drawing tools', () => {
  it('draws a rectangle from corner to corner in the active category', () => {
    const { ctx, doc } = setup();
    drag(new DragShapeTool('rectangle', ctx), [[100, 100], [150, 120], [200, 300]]);
    const [m] = [...doc.all()];
    expect(m).toEqual({ ref: 'm1', category: '3', geometry: { kind: 'rectangle', rings: [[[100, 100], [200, 100], [200, 300], [100, 300], [100, 100]]] } });
  });

  it('takes a tiny drag as a slip, not a shape', () => {
    const { ctx, doc } = setup();
    drag(new DragShapeTool('ellipse', ctx), [[100, 100], [101, 100]]);
    expect(doc.size).toBe(0);
  });

  it('draws an ellipse as a polygon named ellipse', () => {
    const { ctx, doc } = setup();
    drag(new DragShapeTool('ellipse', ctx), [[0, 0], [100, 50]]);
    expect([...doc.all()][0]?.geometry.kind).toBe('ellipse');
  });

  it('closes and simplifies a freehand outline', () => {
    const { ctx, doc } = setup();
    const path: [number, number][] = [];
    for (let i = 0; i <= 50; i++) path.push([i * 2, 0]);
    for (let i = 0; i <= 50; i++) path.push([100, i * 2]);
    path.push([0, 100]);
    drag(new DragShapeTool('freehand', ctx), path);
    const g = [...doc.all()][0]?.geometry;
    expect(g).toEqual({ kind: 'freehand', rings: [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]] });
  });

  it('refuses a freehand outline that crosses itself and says why', () => {
    const { ctx, doc, notes } = setup();
    drag(new DragShapeTool('freehand', ctx), [[0, 0], [100, 100], [100, 0], [0, 100]]);
    expect(doc.size).toBe(0);
    expect(notes[0]).toContain('crosses itself');
  });

  it('builds a polygon click by click and closes it on the first corner', () => {
    const { ctx, doc } = setup();
    const tool = new PolygonTool(ctx);
    for (const [x, y] of [[0, 0], [100, 0], [100, 100], [0, 100], [1, 1]] as const) tool.click(at(x, y));
    expect([...doc.all()][0]?.geometry).toEqual({ kind: 'polygon', rings: [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]] });
    expect(tool.drafting).toBe(false);
  });

  it('closes a polygon on a double click without a doubled corner, and on Enter', () => {
    const { ctx, doc } = setup();
    const tool = new PolygonTool(ctx);
    for (const [x, y] of [[0, 0], [100, 0], [100, 100], [100, 100]] as const) tool.click(at(x, y));
    tool.dblclick();
    for (const [x, y] of [[200, 0], [300, 0], [300, 100]] as const) tool.click(at(x, y));
    tool.onKey(key('Backspace'));
    tool.click(at(250, 100));
    tool.onKey(key('Enter'));
    const rings = [...doc.all()].map((m) => (m.geometry.kind === 'polygon' ? m.geometry.rings[0] : []));
    expect(rings).toEqual([
      [[0, 0], [100, 0], [100, 100], [0, 0]],
      [[200, 0], [300, 0], [250, 100], [200, 0]],
    ]);
  });

  it('draws a polyline, ended by a double click or Enter, never closed', () => {
    const { ctx, doc } = setup();
    const tool = new PolygonTool(ctx, 'polyline');
    expect([tool.id, tool.key]).toEqual(['polyline', 'l']);
    tool.click(at(0, 0));
    tool.onKey(key('Enter')); // one corner is no line yet
    for (const [x, y] of [[1, 1], [100, 0], [100, 0]] as const) tool.click(at(x, y));
    tool.dblclick();
    for (const [x, y] of [[0, 50], [10, 50], [20, 60]] as const) tool.click(at(x, y));
    tool.onKey(key('Enter'));
    expect([...doc.all()].map((m) => m.geometry)).toEqual([
      { kind: 'polyline', path: [[0, 0], [1, 1], [100, 0]] },
      { kind: 'polyline', path: [[0, 50], [10, 50], [20, 60]] },
    ]);
  });

  it('buffers a brush stroke by half its screen width into one polygon', () => {
    const { ctx, doc } = setup();
    // 20 screen pixels wide at scale 2: 5 image pixels either side of the path.
    drag(new BrushTool(ctx, () => 20), [[10, 10], [30, 10], [50, 10], [50, 30]]);
    const g = [...doc.all()][0]?.geometry;
    expect(g?.kind).toBe('polygon');
    const ring = g?.kind === 'polygon' ? (g.rings[0] ?? []) : [];
    expect(insideRing(ring, { x: 30, y: 14 })).toBe(true);
    expect(insideRing(ring, { x: 30, y: 16 })).toBe(false);
    expect(insideRing(ring, { x: 54, y: 30 })).toBe(true);
    expect(insideRing(ring, { x: 30, y: 25 })).toBe(false);
  });

  it('drops a polygon draft on Escape', () => {
    const { ctx, doc } = setup();
    const tool = new PolygonTool(ctx);
    tool.click(at(0, 0));
    tool.click(at(10, 0));
    expect(tool.onKey(key('Escape'))).toBe(true);
    expect(tool.drafting).toBe(false);
    expect(doc.size).toBe(0);
  });
});

describe('select and edit', () => {
  it('moves a point by dragging it, as one undoable edit', () => {
    const { ctx, doc, sent } = setup();
    doc.show(dot('7', 100, 100));
    drag(new SelectTool(ctx), [[101, 101], [150, 120], [201, 201]]);
    expect(doc.get('7')?.geometry).toEqual({ kind: 'point', x: 200, y: 200, radius: 4 });
    expect(sent).toEqual(['put 7']);
    doc.undo();
    expect(doc.get('7')?.geometry).toMatchObject({ x: 100, y: 100 });
  });

  it('resizes a rectangle by its corner handle', () => {
    const { ctx, doc } = setup();
    drag(new DragShapeTool('rectangle', ctx), [[0, 0], [100, 100]]);
    const tool = new SelectTool(ctx);
    tool.click(at(50, 50));
    expect(tool.selection?.ref).toBe('m1');
    drag(tool, [[100, 100], [300, 200]]);
    expect(doc.get('m1')?.geometry).toEqual({ kind: 'rectangle', rings: [[[0, 0], [300, 0], [300, 200], [0, 200], [0, 0]]] });
  });

  it('adds a corner with a double click on an edge and removes one with Alt+click, each undoable', () => {
    const { ctx, doc } = setup();
    const tool = new PolygonTool(ctx);
    for (const [x, y] of [[0, 0], [100, 0], [100, 100], [0, 100]] as const) tool.click(at(x, y));
    tool.onKey(key('Enter'));
    const select = new SelectTool(ctx);
    select.click(at(50, 1));
    expect(select.dblclick(at(50, 1))).toBe(true);
    expect(doc.get('m1')?.geometry).toEqual({ kind: 'polygon', rings: [[[0, 0], [50, 1], [100, 0], [100, 100], [0, 100], [0, 0]]] });
    select.click({ ...at(100, 100), alt: true });
    expect(doc.get('m1')?.geometry).toEqual({ kind: 'polygon', rings: [[[0, 0], [50, 1], [100, 0], [0, 100], [0, 0]]] });
    doc.undo();
    doc.undo();
    expect(doc.get('m1')?.geometry).toEqual({ kind: 'polygon', rings: [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]] });
  });

  it('keeps a triangle whole and says why', () => {
    const { ctx, doc, notes } = setup();
    const tool = new PolygonTool(ctx);
    for (const [x, y] of [[0, 0], [100, 0], [0, 100]] as const) tool.click(at(x, y));
    tool.onKey(key('Enter'));
    const select = new SelectTool(ctx);
    select.click(at(50, 0));
    select.click({ ...at(0, 100), alt: true });
    expect(doc.get('m1')?.geometry).toEqual({ kind: 'polygon', rings: [[[0, 0], [100, 0], [0, 100], [0, 0]]] });
    expect(notes).toHaveLength(1);
  });

  it('lets the pan go on when the press is on no mark', () => {
    const { ctx } = setup();
    expect(new SelectTool(ctx).press(at(5, 5, false))).toBe(false);
  });

  it('deletes the selection with Delete and recolours it with Shift+digit', () => {
    const { ctx, doc } = setup();
    doc.showAll([dot('1', 10, 10), dot('2', 50, 50)]);
    const tool = new SelectTool(ctx);
    tool.categoryAt = (i) => (i === 1 ? '9' : null);
    tool.click(at(10, 10));
    expect(tool.onKey(key('!', { shiftKey: true, code: 'Digit2' }))).toBe(true);
    expect(doc.get('1')?.category).toBe('9');
    tool.onKey(key('Delete'));
    expect(doc.get('1')).toBeUndefined();
    expect(tool.selection).toBeUndefined();
  });
});

describe('marks held simplified (zoomed out)', () => {
  it('refuses any edit of a simplified outline in the document itself', () => {
    const { doc } = setup();
    const { simplified } = octagon('5');
    doc.show(simplified);
    expect(() => doc.commit([{ ref: '5', after: null }])).toThrow(/simplified/);
    expect(() => doc.commit([{ ref: 'new', after: { ...simplified, ref: 'new' } }])).toThrow(/simplified/);
    expect(doc.canUndo()).toBe(false);
  });

  it('moves the exact outline by the drag, not the simplified one drawn', async () => {
    const { ctx, doc, full, sent, loads } = setup();
    const { exact, simplified } = octagon('5');
    full.set('5', exact);
    doc.show(simplified);
    const tool = new SelectTool(ctx);
    drag(tool, [[150, 150], [160, 170], [160, 170]]);
    await settle();
    expect(loads).toContain('5');
    const moved = doc.get('5');
    expect(moved?.simplified).toBeUndefined();
    expect(outer(moved)).toHaveLength(9);
    expect(moved?.geometry).toEqual({ kind: 'polygon', rings: [outer(exact)?.map(([x, y]) => [x + 10, y + 20])] });
    expect(sent).toEqual(['put 5']);
    // Undo puts the exact outline back, never the simplified one.
    doc.undo();
    expect(doc.get('5')).toEqual(exact);
  });

  it('offers no corners of a simplified outline, and the real ones once loaded', async () => {
    const { ctx, doc, full } = setup();
    const { exact, simplified } = octagon('5');
    full.set('5', exact);
    doc.show(simplified);
    const tool = new SelectTool(ctx);
    const seen: (string | undefined)[] = [];
    tool.onSelect = (m) => seen.push(m?.ref);
    tool.click(at(150, 150));
    expect(seen).toEqual(['5']);
    // Selecting fetched the exact outline; its corner at (300, 100) is now a handle to drag.
    await settle();
    expect(doc.get('5')?.simplified).toBeUndefined();
    drag(tool, [[300, 100], [320, 100]]);
    const ring = outer(doc.get('5'));
    expect(ring).toHaveLength(9);
    expect(ring?.[2]).toEqual([320, 100]);
  });

  it('deletes and recolours a simplified mark through its exact outline', async () => {
    const { ctx, doc, full } = setup();
    const { exact, simplified } = octagon('5');
    full.set('5', exact);
    doc.show(simplified);
    const tool = new SelectTool(ctx);
    tool.categoryAt = () => '9';
    tool.click(at(150, 150));
    tool.onKey(key('(', { shiftKey: true, code: 'Digit9' }));
    await settle();
    expect(doc.get('5')).toEqual({ ...exact, category: '9' });
    tool.onKey(key('Delete'));
    await settle();
    expect(doc.get('5')).toBeUndefined();
    doc.undo();
    expect(doc.get('5')).toEqual({ ...exact, category: '9' });
  });

  it('erases simplified shapes once loaded, and says so when one cannot be', async () => {
    const { ctx, doc, full, notes } = setup();
    const a = octagon('a');
    const b = { ...octagon('b').simplified, geometry: { kind: 'polygon' as const, rings: [[[1000, 0], [1300, 100], [1200, 300], [1000, 200], [1000, 0]] as [number, number][]] } };
    full.set('a', a.exact);
    doc.showAll([a.simplified, b]);
    drag(new EraserTool(ctx), [[150, 150], [1150, 150]]);
    await settle();
    expect(doc.get('a')).toBeUndefined();
    expect(doc.get('b')).toEqual(b);
    expect(notes).toHaveLength(1);
    doc.undo();
    expect(doc.get('a')).toEqual(a.exact);
  });
});

describe('eraser', () => {
  it('erases what a drag passes over as one undo step', () => {
    const { ctx, doc } = setup();
    doc.showAll([dot('1', 10, 10), dot('2', 20, 10), dot('3', 30, 10), dot('far', 30, 80)]);
    drag(new EraserTool(ctx), [[10, 10], [20, 10], [30, 10]]);
    expect([...doc.all()].map((m) => m.ref)).toEqual(['far']);
    doc.undo();
    expect(doc.size).toBe(4);
  });

  it('erases the shape under a click', () => {
    const { ctx, doc } = setup();
    drag(new DragShapeTool('rectangle', ctx), [[0, 0], [100, 100]]);
    const eraser = new EraserTool(ctx);
    drag(eraser, [[50, 50]]);
    eraser.click();
    expect(doc.size).toBe(0);
  });
});
