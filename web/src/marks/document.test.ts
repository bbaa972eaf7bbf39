import { describe, expect, it } from 'vitest';
import { MarkDocument, type Sink } from './document';
import type { Mark } from './mark';

function dot(ref: string, x: number, category = '1'): Mark {
  return { ref, category, geometry: { kind: 'point', x, y: 10, radius: 5 } };
}

function square(ref: string): Mark {
  return { ref, category: '2', geometry: { kind: 'rectangle', rings: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] } };
}

function recorder(): Sink & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    put: (m) => log.push(`put ${m.ref}@${m.geometry.kind === 'point' ? m.geometry.x : m.geometry.kind}`),
    remove: (ref) => log.push(`remove ${ref}`),
  };
}

describe('MarkDocument', () => {
  it('sends user edits to the sink and server marks nowhere', () => {
    const sink = recorder();
    const doc = new MarkDocument(1000, 1000, sink);
    doc.show(dot('5', 1));
    doc.commit([{ ref: 'a', after: dot('a', 2) }]);
    doc.commit([{ ref: '5', after: null }]);
    expect(sink.log).toEqual(['put a@2', 'remove 5']);
    expect(doc.size).toBe(1);
    expect(doc.points.size).toBe(1);
  });

  it('undoes and redoes any edit, several marks at once', () => {
    const sink = recorder();
    const doc = new MarkDocument(1000, 1000, sink);
    doc.showAll([dot('5', 1), dot('6', 2)]);
    doc.commit([{ ref: '5', after: dot('5', 50) }]);
    doc.commit([
      { ref: '5', after: null },
      { ref: '6', after: null },
    ]);
    doc.commit([{ ref: 'sq', after: square('sq') }]);
    expect(doc.size).toBe(1);
    expect(doc.undo()).toBe(true);
    expect(doc.size).toBe(0);
    expect(doc.undo()).toBe(true);
    expect(doc.get('5')?.geometry).toMatchObject({ x: 50 });
    expect(doc.get('6')?.geometry).toMatchObject({ x: 2 });
    expect(doc.undo()).toBe(true);
    expect(doc.get('5')?.geometry).toMatchObject({ x: 1 });
    expect(doc.undo()).toBe(false);
    expect(doc.redo()).toBe(true);
    expect(doc.redo()).toBe(true);
    expect(doc.redo()).toBe(true);
    expect(doc.redo()).toBe(false);
    expect([...doc.shapes()].map((m) => m.ref)).toEqual(['sq']);
    expect(sink.log).toEqual([
      'put 5@50', 'remove 5', 'remove 6', 'put sq@rectangle',
      'remove sq',
      'put 6@2', 'put 5@50',
      'put 5@1',
      'put 5@50',
      'remove 5', 'remove 6',
      'put sq@rectangle',
    ]);
  });

  it('forgets the redo history after a new edit', () => {
    const doc = new MarkDocument(100, 100, recorder());
    doc.commit([{ ref: 'a', after: dot('a', 1) }]);
    doc.undo();
    doc.commit([{ ref: 'b', after: dot('b', 1) }]);
    expect(doc.canRedo()).toBe(false);
  });

  it('counts marks per category, points and shapes alike', () => {
    const doc = new MarkDocument(100, 100, recorder());
    doc.showAll([dot('a', 1), dot('b', 2), dot('c', 3, '2'), square('d')]);
    expect(doc.countByCategory()).toEqual(new Map([['1', 2], ['2', 2]]));
  });
});

describe('MarkDocument edits', () => {
  it('keeps edited marks inside the slide and stamps their author', () => {
    const sink = recorder();
    const doc = new MarkDocument(100, 50, sink, '7');
    doc.commit([{ ref: 'r', after: { ref: 'r', category: '1', geometry: { kind: 'rectangle', rings: [[[-10, -10], [120, -10], [120, 20], [-10, 20], [-10, -10]]] } } }]);
    expect(doc.get('r')).toEqual({ ref: 'r', category: '1', author: '7', geometry: { kind: 'rectangle', rings: [[[0, 0], [100, 0], [100, 20], [0, 20], [0, 0]]] } });
    doc.commit([{ ref: 'p', after: { ref: 'p', category: '1', author: '3', geometry: { kind: 'point', x: 120, y: 10, radius: 2 } } }]);
    expect(doc.get('p')).toMatchObject({ author: '3', geometry: { x: 100, y: 10 } });
  });

  it('finds the mark under the pointer, dots before shapes', () => {
    const doc = new MarkDocument(1000, 1000, recorder());
    doc.showAll([square('sq'), dot('d', 5)]);
    expect(doc.hitTest({ x: 5, y: 10 }, 1)?.ref).toBe('d');
    expect(doc.hitTest({ x: 2, y: 2 }, 1)?.ref).toBe('sq');
    expect(doc.hitTest({ x: 2, y: 2 }, 1, (m) => m.ref !== 'sq')).toBeUndefined();
    expect(doc.hitTest({ x: 500, y: 500 }, 1)).toBeUndefined();
  });

  it('swaps what the server shows in one change, and reports only user edits with their before state', () => {
    const doc = new MarkDocument(1000, 1000, recorder(), '4');
    const changes: number[] = [];
    const edits: string[] = [];
    doc.onChange(() => changes.push(doc.size));
    doc.onEdit((es) => edits.push(...es.map((e) => `${e.ref}: ${e.before?.category ?? '-'} -> ${e.after?.category ?? '-'}`)));
    doc.showAll([dot('1', 1), dot('2', 2)]);
    doc.replace(['1'], [dot('3', 3), square('4')]);
    expect(changes).toEqual([2, 3]);
    expect([...doc.all()].map((m) => m.ref).sort()).toEqual(['2', '3', '4']);
    expect([...doc.shapes()].map((m) => m.ref)).toEqual(['4']);
    doc.commit([{ ref: '2', after: dot('2', 2, '9') }]);
    doc.undo();
    expect(edits).toEqual(['2: 1 -> 9', '2: 9 -> 1']);
    expect(doc.historyRefs()).toEqual(new Set(['2']));
  });
});
