import { describe, expect, it } from 'vitest';
import { boundsOf, type Affine, type Rect } from '../viewer/geometry';
import { paintShapes, type Outline, type Ring, type ShapeContext } from './shapes';

/** recorder is a 2D context that writes down what it was asked to draw. */
function recorder(): ShapeContext & { log: string[] } {
  const log: string[] = [];
  const ctx = {
    log,
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    globalAlpha: 1,
    beginPath: () => log.push('begin'),
    moveTo: (x: number, y: number) => log.push(`M${x},${y}`),
    lineTo: (x: number, y: number) => log.push(`L${x},${y}`),
    closePath: () => log.push('Z'),
    fill: () => log.push(`fill ${String(ctx.fillStyle)} @${ctx.globalAlpha}`),
    stroke: () => log.push(`stroke ${String(ctx.strokeStyle)}`),
    fillRect: () => undefined,
    strokeRect: () => undefined,
    setLineDash: () => undefined,
  };
  return ctx as unknown as ShapeContext & { log: string[] };
}

interface Shape {
  readonly ref: string;
  readonly category: string;
  readonly geometry: Outline;
}

const bounds = (g: Outline): Rect => boundsOf([...(g.rings ?? []), g.path ?? []].flat().map(([x, y]) => ({ x, y })));

const square = (ref: string, x: number, category = '1'): Shape => ({
  ref,
  category,
  geometry: { kind: 'rectangle', rings: [[[x, 0], [x + 10, 0], [x + 10, 10], [x, 10], [x, 0]]] },
});

const half: Affine = { a: 0.5, b: 0, c: 0, d: 0.5, e: 100, f: 0 };

describe('paintShapes', () => {
  it('draws areas in screen space with a translucent fill and a solid outline', () => {
    const ctx = recorder();
    const drawn = paintShapes(ctx, [square('a', 0)], half, 800, 600, () => ({ color: '#ff0000', visible: true }), bounds);
    expect(drawn).toBe(1);
    expect(ctx.log).toEqual(['begin', 'M100,0', 'L105,0', 'L105,5', 'L100,5', 'L100,0', 'Z', 'fill #ff0000 @0.22', 'stroke #ff0000']);
  });

  it('skips shapes off screen and hidden ones', () => {
    const ctx = recorder();
    const marks = [square('on', 0), square('off', 5000), square('hidden', 20, '2')];
    const drawn = paintShapes(ctx, marks, half, 800, 600, (m) => ({ color: '#000', visible: m.category !== '2' }), bounds);
    expect(drawn).toBe(1);
  });

  it('strokes lines without filling them', () => {
    const ctx = recorder();
    const path: Ring = [[0, 0], [10, 10]];
    const line: Shape = { ref: 'l', category: '1', geometry: { kind: 'polyline', path } };
    paintShapes(ctx, [line], half, 800, 600, () => ({ color: '#00f', visible: true }), bounds);
    expect(ctx.log).toEqual(['begin', 'M100,0', 'L105,5', 'stroke #00f']);
  });
});
