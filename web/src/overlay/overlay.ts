import type { Affine } from '../viewer/geometry';
import type { SlideViewer } from '../viewer/viewer';
import type { PointLayer } from './points';
import { parseHexColor, rasterize } from './raster';
import {
  defaultRenderOptions,
  haloColor,
  paint,
  paintMode,
  Planner,
  type CategoryStyle,
  type FramePlan,
  type RenderOptions,
} from './render';

/** Painter draws extra layers (shapes, a tool's draft) over the points, in CSS pixels of the viewer. */
export type Painter = (ctx: CanvasRenderingContext2D, imageToScreen: Affine, width: number, height: number) => void;

export interface FrameStats {
  readonly considered: number;
  readonly drawn: number;
  readonly ms: number;
  readonly mode: 'vector' | 'raster' | 'none';
}

/**
 * MarkOverlay is one canvas laid over the slide that redraws the visible
 * marks whenever OpenSeadragon draws a frame. It never handles input: tools do.
 */
export class MarkOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly planner = new Planner();
  private readonly unlisten: () => void;
  private pending = 0;
  private readonly statsListeners = new Set<(s: FrameStats) => void>();
  private image: ImageData | null = null;
  private readonly packed = new Map<string, number>();
  private readonly painters: Painter[] = [];
  private readonly underlays: Painter[] = [];
  private under: { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } | null = null;
  private keep: ((slot: number) => boolean) | undefined;
  last: FrameStats = { considered: 0, drawn: 0, ms: 0, mode: 'none' };

  constructor(
    private readonly viewer: SlideViewer,
    private readonly layer: PointLayer,
    private readonly styles: (categoryIndex: number) => CategoryStyle,
    private readonly opts: RenderOptions = defaultRenderOptions,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'mark-overlay';
    this.canvas.setAttribute('aria-hidden', 'true');
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) throw new Error('create mark overlay: no 2D canvas context');
    this.ctx = ctx;
    viewer.osd.canvas.appendChild(this.canvas);
    this.unlisten = viewer.onRender(() => this.draw());
  }

  addPainter(p: Painter): void {
    this.painters.push(p);
    this.invalidate();
  }

  /**
   * addUnderlay draws a layer beneath the marks (the density of a zoomed-out
   * slide), on a canvas of its own: the rasterizer replaces the pixels of the
   * marks' canvas, so nothing can be drawn under the marks there.
   */
  addUnderlay(p: Painter): void {
    if (this.under === null) {
      const canvas = document.createElement('canvas');
      canvas.className = 'density-layer';
      canvas.setAttribute('aria-hidden', 'true');
      const ctx = canvas.getContext('2d');
      if (ctx === null) throw new Error('create density layer: no 2D canvas context');
      this.canvas.before(canvas);
      this.under = { canvas, ctx };
    }
    this.underlays.push(p);
    this.invalidate();
  }

  /** setOpacity fades the marks and what lies under them (CSS opacity, 0–1). */
  setOpacity(v: number): void {
    this.canvas.style.opacity = String(v);
    if (this.under !== null) this.under.canvas.style.opacity = String(v);
  }

  /** setFilter hides point slots for which keep answers false (per-annotator visibility); undefined shows all. */
  setFilter(keep: ((slot: number) => boolean) | undefined): void {
    this.keep = keep;
    this.invalidate();
  }

  /** invalidate asks for a redraw on the next animation frame, coalescing bursts of edits. */
  invalidate(): void {
    if (this.pending !== 0) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.draw();
    });
  }

  draw(): FrameStats {
    const start = performance.now();
    const { width, height } = this.fit();
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const m = this.viewer.imageToScreen();
    if (m === null) return this.record(null, start);
    const dpr = this.canvas.width / Math.max(width, 1);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // The slide's box on screen, for tests and bug reports that need to aim at the image.
    this.canvas.dataset['imageBox'] = [m.e, m.f, m.a * this.layer.width + m.c * this.layer.height + m.e, m.b * this.layer.width + m.d * this.layer.height + m.f]
      .map((v) => v.toFixed(1))
      .join(',');
    const plan = this.planner.plan(this.layer, m, width, height, this.styles, this.opts, this.keep);
    const mode = paintMode(plan, this.opts);
    if (mode === 'raster') this.rasterFrame(plan, dpr);
    else paint(this.ctx, plan, this.styles, this.opts);
    // After the points: the rasterizer replaces pixels rather than blending with them.
    for (const p of this.painters) p(this.ctx, m, width, height);
    this.drawUnder(m, width, height, dpr);
    return this.record(plan, start, mode);
  }

  private drawUnder(m: Affine, width: number, height: number, dpr: number): void {
    if (this.under === null) return;
    const { canvas, ctx } = this.under;
    if (canvas.width !== this.canvas.width || canvas.height !== this.canvas.height) {
      canvas.width = this.canvas.width;
      canvas.height = this.canvas.height;
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (const p of this.underlays) p(ctx, m, width, height);
  }

  private rasterFrame(plan: FramePlan, dpr: number): void {
    const { width, height } = this.canvas;
    if (this.image?.width !== width || this.image.height !== height) this.image = new ImageData(width, height);
    const pixels = new Uint32Array(this.image.data.buffer);
    pixels.fill(0);
    rasterize(pixels, width, height, dpr, plan, (cat) => this.pack(this.styles(cat).color), {
      width: this.opts.halo,
      color: (cat) => this.pack(haloColor(this.styles(cat).color)),
    });
    this.ctx.putImageData(this.image, 0, 0);
  }

  /** pack turns any CSS colour into a pixel value, letting the canvas normalise non-hex colours once. */
  private pack(css: string): number {
    let v = this.packed.get(css);
    if (v === undefined) {
      this.ctx.fillStyle = css;
      v = parseHexColor(String(this.ctx.fillStyle)) ?? parseHexColor('#000000') ?? 0;
      this.packed.set(css, v);
    }
    return v;
  }

  /** onStats reports every frame's cost; the viewer shows it and benchmarks read it. */
  onStats(fn: (s: FrameStats) => void): () => void {
    this.statsListeners.add(fn);
    return () => this.statsListeners.delete(fn);
  }

  destroy(): void {
    this.statsListeners.clear();
    if (this.pending !== 0) cancelAnimationFrame(this.pending);
    this.unlisten();
    this.canvas.remove();
    this.under?.canvas.remove();
    // OpenSeadragon's timers may hold a destroyed viewer, and with it this overlay, for
    // seconds: what is big goes now, not when they let go.
    this.image = null;
    this.planner.release();
  }

  /** fit keeps the backing store at device resolution so dots stay crisp on HiDPI screens. */
  private fit(): { width: number; height: number } {
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    return { width, height };
  }

  private record(plan: FramePlan | null, start: number, mode: FrameStats['mode'] = 'none'): FrameStats {
    const ms = performance.now() - start;
    this.last = { considered: plan?.considered ?? 0, drawn: plan?.drawn ?? 0, ms, mode };
    // Exposed on the element so benchmarks and bug reports can read the cost without a debugger.
    this.canvas.dataset['frameMs'] = ms.toFixed(2);
    this.canvas.dataset['mode'] = mode;
    for (const fn of this.statsListeners) fn(this.last);
    return this.last;
  }
}
