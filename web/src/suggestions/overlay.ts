import { parseHexColor } from '../overlay/raster';
import { defaultRenderOptions, Planner, type CategoryStyle, type RenderOptions } from '../overlay/render';
import { expand, invert, scaleOf, visibleImageRect, type Affine } from '../viewer/geometry';
import type { SuggestionIndex } from './index';
import { RingPainter } from './rings';

/** What the overlay needs of the slide viewer. */
export interface OverlayViewer {
  readonly osd: { readonly canvas: HTMLElement };
  imageToScreen(): Affine | null;
  onRender(fn: () => void): () => void;
}

/** Painter draws over the suggestions (regions, the current one, the hovered one's score), in CSS pixels. */
export type Painter = (c: CanvasRenderingContext2D, m: Affine, view: { x: number; y: number; width: number; height: number }) => void;

// Rings are 2 CSS px wide; dots far out keep 4 CSS px of radius, as marks do.
const ringWidth = 2;
const options: RenderOptions = { ...defaultRenderOptions, halo: 0 };

/**
 * SuggestionOverlay is the suggestions layer's own canvas over the slide,
 * drawn the way marks are at scale: each frame the grid index is asked for
 * the dots in view only (culling), they are bucketed per category in screen
 * space, and above 2,000 on screen they are written as rings into one
 * ImageData (level of detail: dashes mean nothing at 4 px), else stroked
 * as dashed arcs, one path per category.
 */
export class SuggestionOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly planner = new Planner();
  private readonly rings = new RingPainter(ringWidth);
  private readonly packed = new Map<string, number>();
  private readonly unlisten: () => void;
  private image: ImageData | null = null;
  private pending = 0;
  private shown = false;

  constructor(
    private readonly viewer: OverlayViewer,
    private readonly index: SuggestionIndex,
    private readonly colorOf: (categoryKey: string) => string,
    private readonly painter: Painter,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'suggestion-overlay';
    this.canvas.setAttribute('aria-hidden', 'true');
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) throw new Error('create suggestion overlay: no 2D canvas context');
    this.ctx = ctx;
    viewer.osd.canvas.appendChild(this.canvas);
    this.unlisten = viewer.onRender(() => this.draw());
  }

  /** show turns the layer on or off. */
  show(on: boolean): void {
    this.shown = on;
    this.invalidate();
  }

  invalidate(): void {
    if (this.pending !== 0) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.draw();
    });
  }

  draw(): void {
    const start = performance.now();
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) [this.canvas.width, this.canvas.height] = [w, h];
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.clearRect(0, 0, w, h);
    const m = this.viewer.imageToScreen();
    const inv = m === null ? null : invert(m);
    if (!this.shown || m === null || inv === null || width === 0) return this.record(start, 0, 'none');
    const styles = (cat: number): CategoryStyle => ({ color: this.colorOf(this.index.points.categories[cat] ?? ''), visible: true });
    const plan = this.planner.plan(this.index.points, m, width, height, styles, options);
    const raster = plan.drawn > options.rasterAbove;
    if (raster) this.rasterFrame(plan, dpr, styles);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (!raster) this.vectorFrame(plan, styles);
    const view = expand(visibleImageRect(inv, width, height), 8 / scaleOf(m));
    this.painter(this.ctx, m, view);
    this.record(start, plan.drawn, raster ? 'raster' : 'vector');
  }

  private vectorFrame(plan: ReturnType<Planner['plan']>, styles: (cat: number) => CategoryStyle): void {
    const c = this.ctx;
    c.setLineDash([6, 4]);
    c.lineWidth = ringWidth;
    for (let cat = 0; cat < plan.counts.length; cat++) {
      const n = plan.counts[cat] as number;
      if (n === 0) continue;
      const buf = plan.buckets[cat] as Float32Array;
      c.beginPath();
      for (let i = 0; i < 3 * n; i += 3) {
        const r = Math.max(6, buf[i + 2] as number);
        c.moveTo((buf[i] as number) + r, buf[i + 1] as number);
        c.arc(buf[i] as number, buf[i + 1] as number, r, 0, 2 * Math.PI);
      }
      c.strokeStyle = styles(cat).color;
      c.stroke();
    }
    c.setLineDash([]);
  }

  private rasterFrame(plan: ReturnType<Planner['plan']>, dpr: number, styles: (cat: number) => CategoryStyle): void {
    const { width, height } = this.canvas;
    if (this.image?.width !== width || this.image.height !== height) this.image = new ImageData(width, height);
    const pixels = new Uint32Array(this.image.data.buffer);
    pixels.fill(0);
    this.rings.paint(pixels, width, height, dpr, plan, (cat) => this.pack(styles(cat).color));
    this.ctx.putImageData(this.image, 0, 0);
  }

  private pack(css: string): number {
    let v = this.packed.get(css);
    if (v === undefined) {
      this.ctx.fillStyle = css;
      v = parseHexColor(String(this.ctx.fillStyle)) ?? parseHexColor('#ffbf00') ?? 0;
      this.packed.set(css, v);
    }
    return v;
  }

  /** record leaves the frame's cost and count on the canvas, for benchmarks and bug reports. */
  private record(start: number, drawn: number, mode: string): void {
    this.canvas.dataset['frameMs'] = (performance.now() - start).toFixed(2);
    this.canvas.dataset['drawn'] = String(drawn);
    this.canvas.dataset['mode'] = mode;
    this.canvas.dataset['held'] = String(this.index.size);
  }

  destroy(): void {
    if (this.pending !== 0) cancelAnimationFrame(this.pending);
    this.unlisten();
    this.canvas.remove();
    this.image = null;
    this.planner.release();
  }
}
