import type { SlideViewer } from '../viewer/viewer';
import type { PointLayer } from './points';
import { defaultRenderOptions, paint, Planner, type CategoryStyle, type FramePlan, type RenderOptions } from './render';

export interface FrameStats {
  readonly considered: number;
  readonly drawn: number;
  readonly ms: number;
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
  last: FrameStats = { considered: 0, drawn: 0, ms: 0 };

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
    const plan = this.planner.plan(this.layer, m, width, height, this.styles, this.opts);
    paint(this.ctx, plan, this.styles, this.opts);
    return this.record(plan, start);
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

  private record(plan: FramePlan | null, start: number): FrameStats {
    this.last = { considered: plan?.considered ?? 0, drawn: plan?.drawn ?? 0, ms: performance.now() - start };
    // Exposed on the element so benchmarks and bug reports can read the cost without a debugger.
    this.canvas.dataset['frameMs'] = this.last.ms.toFixed(2);
    for (const fn of this.statsListeners) fn(this.last);
    return this.last;
  }
}
