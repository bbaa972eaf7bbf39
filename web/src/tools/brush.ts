import { brushRings } from '../marks/brush';
import { selfIntersects } from '../marks/shapes';
import { apply, type Affine, type Point } from '../viewer/geometry';
import type { EditContext } from './context';
import type { Tool, ToolPointer } from './tool';

// Screen pixels between kept samples of the stroke, and the raster cell as a share of the brush radius.
const sampleStep = 2;
const cellsPerRadius = 6;

/**
 * BrushTool paints an area with a round brush: the stroke is buffered by
 * half the brush width into a polygon on release, like QuPath's brush. The
 * width is in screen pixels, so zooming in paints finer.
 */
export class BrushTool implements Tool {
  readonly id = 'brush';
  readonly label = 'Brush';
  readonly key = 'b';
  readonly cursor = 'crosshair';
  private points: Point[] = [];
  private lastScreen: Point | null = null;
  private scale = 1;

  constructor(
    private readonly ctx: EditContext,
    /** width answers the brush diameter in screen pixels. */
    private readonly width: () => number,
  ) {}

  press(p: ToolPointer): boolean {
    if (this.ctx.category() === null) return false;
    this.points = [p.image];
    this.lastScreen = p.screen;
    this.scale = p.scale;
    return true;
  }

  drag(p: ToolPointer): boolean {
    const prev = this.lastScreen;
    if (prev === null) return false;
    if (Math.hypot(p.screen.x - prev.x, p.screen.y - prev.y) >= sampleStep) {
      this.points.push(p.image);
      this.lastScreen = p.screen;
      this.ctx.invalidate();
    }
    return true;
  }

  release(p: ToolPointer): boolean {
    if (this.lastScreen === null) return false;
    this.points.push(p.image);
    this.finish();
    return true;
  }

  click(p: ToolPointer): boolean {
    // A click paints one dab; the click ending a drag was already painted on release.
    return !p.quick || this.ctx.category() !== null;
  }

  onKey(ev: KeyboardEvent): boolean {
    if (ev.key !== 'Escape' || this.lastScreen === null) return false;
    this.reset();
    return true;
  }

  paint(c: CanvasRenderingContext2D, m: Affine): void {
    if (this.lastScreen === null || this.points.length === 0) return;
    c.save();
    c.globalAlpha = 0.4;
    c.strokeStyle = this.ctx.color(this.ctx.category() ?? '');
    c.lineWidth = this.width();
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    this.points.forEach((q, i) => {
      const s = apply(m, q.x, q.y);
      if (i === 0) c.moveTo(s.x, s.y);
      c.lineTo(s.x, s.y);
    });
    c.stroke();
    c.restore();
  }

  deactivate(): void {
    this.reset();
  }

  private finish(): void {
    const category = this.ctx.category();
    const radius = this.width() / 2 / this.scale;
    const rings = brushRings(this.points, radius, radius / cellsPerRadius);
    this.reset();
    if (category === null || rings === null) return;
    if (rings.some(selfIntersects)) return this.ctx.notify('The brush stroke gave an outline that crosses itself; paint it again.');
    const ref = this.ctx.newId();
    this.ctx.doc.commit([{ ref, after: { ref, category, geometry: { kind: 'polygon', rings } } }]);
  }

  private reset(): void {
    this.points = [];
    this.lastScreen = null;
    this.ctx.invalidate();
  }
}
