import { expand, invert, scaleOf, visibleImageRect, type Affine } from '../viewer/geometry';
import type { PointLayer } from './points';

export interface CategoryStyle {
  readonly color: string;
  readonly visible: boolean;
}

export interface RenderOptions {
  /** minScreenRadius keeps dots visible when zoomed far out (CSS pixels). */
  readonly minScreenRadius: number;
  /** maxScreenRadius stops a dot from covering the screen when zoomed far in. */
  readonly maxScreenRadius: number;
  /**
   * halo is the width (CSS pixels) of a ring in a colour that contrasts with
   * the mark's, drawn round every dot: a black dot on a dark nucleus or a
   * yellow one on pale stroma stays visible at every zoom. 0: none.
   */
  readonly halo: number;
  /** Above rasterAbove marks on screen, draw with the pixel rasterizer instead of vector arcs. */
  readonly rasterAbove: number;
  /** ...unless the discs would cover more than rasterMaxArea CSS pixels in all. */
  readonly rasterMaxArea: number;
}

export const defaultRenderOptions: RenderOptions = {
  // 4 CSS px (8 across): a marker the size of a nucleus at 40× is still a dot you can see and hit at 2×.
  minScreenRadius: 4,
  maxScreenRadius: 200,
  halo: 2,
  rasterAbove: 2000,
  rasterMaxArea: 4_000_000,
};

/**
 * FramePlan is what one frame will draw: per category, flat screen-space
 * [x, y, r, x, y, r, ...] triples. Planning is pure so it can be tested
 * without a canvas; painting is a thin loop over it.
 */
export interface FramePlan {
  readonly buckets: readonly Float32Array[];
  readonly counts: readonly number[];
  readonly considered: number;
  readonly drawn: number;
  /** area is the summed disc area in CSS pixels, the rasterizer's cost. */
  readonly area: number;
}

/** Planner reuses its buffers across frames so panning allocates nothing per frame. */
export class Planner {
  private buckets: Float32Array[] = [];
  private counts: number[] = [];

  plan(
    layer: PointLayer,
    imageToScreen: Affine,
    width: number,
    height: number,
    styles: (categoryIndex: number) => CategoryStyle,
    opts: RenderOptions = defaultRenderOptions,
    keep?: (slot: number) => boolean,
  ): FramePlan {
    this.reset(layer.categories.length);
    const screenToImage = invert(imageToScreen);
    if (screenToImage === null || width <= 0 || height <= 0) return this.result(0, 0, 0);
    const scale = scaleOf(imageToScreen);
    const margin = Math.max(layer.maxRadius, opts.minScreenRadius / scale);
    const view = expand(visibleImageRect(screenToImage, width, height), margin);
    const m = imageToScreen;
    let considered = 0;
    let drawn = 0;
    let area = 0;
    layer.query(view, (slot) => {
      considered++;
      const cat = layer.categoryOf(slot);
      if (!styles(cat).visible || (keep !== undefined && !keep(slot))) return;
      const x = layer.x(slot);
      const y = layer.y(slot);
      const sx = m.a * x + m.c * y + m.e;
      const sy = m.b * x + m.d * y + m.f;
      const r = clampRadius(layer.radius(slot) * scale, opts);
      // The image-space box is a superset under rotation: cull again on screen.
      if (sx + r < 0 || sy + r < 0 || sx - r > width || sy - r > height) return;
      this.push(cat, sx, sy, r);
      drawn++;
      area += Math.PI * r * r;
    });
    return this.result(considered, drawn, area);
  }

  /** release gives back the per-frame buffers (the overlay is going away). */
  release(): void {
    this.buckets = [];
    this.counts = [];
  }

  private reset(categories: number): void {
    while (this.buckets.length < categories) this.buckets.push(new Float32Array(3 * 256));
    this.counts = new Array<number>(categories).fill(0);
  }

  private push(cat: number, x: number, y: number, r: number): void {
    const n = this.counts[cat] as number;
    let buf = this.buckets[cat] as Float32Array;
    if (3 * n + 3 > buf.length) {
      const bigger = new Float32Array(buf.length * 2);
      bigger.set(buf);
      this.buckets[cat] = buf = bigger;
    }
    buf[3 * n] = x;
    buf[3 * n + 1] = y;
    buf[3 * n + 2] = r;
    this.counts[cat] = n + 1;
  }

  private result(considered: number, drawn: number, area: number): FramePlan {
    return { buckets: this.buckets, counts: this.counts, considered, drawn, area };
  }
}

function clampRadius(r: number, opts: RenderOptions): number {
  return r < opts.minScreenRadius ? opts.minScreenRadius : r > opts.maxScreenRadius ? opts.maxScreenRadius : r;
}

/** The slice of the 2D context painting uses; OffscreenCanvas contexts fit too. */
export type PaintContext = Pick<
  CanvasRenderingContext2D,
  'beginPath' | 'moveTo' | 'arc' | 'fill' | 'stroke' | 'fillStyle' | 'strokeStyle' | 'lineWidth'
>;

/** paint draws each category as one path: one fill per colour, not one per mark. */
export function paint(
  ctx: PaintContext,
  plan: FramePlan,
  styles: (categoryIndex: number) => CategoryStyle,
  opts: RenderOptions = defaultRenderOptions,
): void {
  for (let cat = 0; cat < plan.counts.length; cat++) {
    const n = plan.counts[cat] as number;
    if (n === 0) continue;
    const buf = plan.buckets[cat] as Float32Array;
    ctx.beginPath();
    for (let i = 0; i < 3 * n; i += 3) {
      const x = buf[i] as number;
      const y = buf[i + 1] as number;
      const r = buf[i + 2] as number;
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    const color = styles(cat).color;
    if (opts.halo > 0) {
      // Twice as wide as the halo and under the fill: only the outer half shows.
      ctx.strokeStyle = haloColor(color);
      ctx.lineWidth = 2 * opts.halo;
      ctx.stroke();
    }
    ctx.fillStyle = color;
    ctx.fill();
  }
}

/**
 * haloColor is white round dark colours and near-black round light ones
 * (relative luminance, as WCAG computes it): the ring always stands out from
 * the dot, and one of dot or ring stands out from any tissue.
 */
export function haloColor(css: string): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})/i.exec(css.trim());
  if (m === null) return '#ffffff';
  let hex = m[1] as string;
  if (hex.length === 3) hex = hex.replace(/./g, (c) => c + c);
  const lin = (i: number): number => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * lin(0) + 0.7152 * lin(2) + 0.0722 * lin(4);
  // 0.18 is where white and black give the same contrast ratio.
  return luminance < 0.18 ? '#ffffff' : '#000000';
}

export type PaintMode = 'vector' | 'raster';

/** paintMode picks anti-aliased arcs for sparse views and the rasterizer for dense ones. */
export function paintMode(plan: FramePlan, opts: RenderOptions = defaultRenderOptions): PaintMode {
  return plan.drawn > opts.rasterAbove && plan.area <= opts.rasterMaxArea ? 'raster' : 'vector';
}
