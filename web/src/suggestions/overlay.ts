import { parseHexColor } from '../overlay/raster';
import { defaultRenderOptions, Planner, type CategoryStyle, type RenderOptions } from '../overlay/render';
import { expand, invert, scaleOf, visibleImageRect, type Affine, type Rect } from '../viewer/geometry';
import type { Suggestion } from '../api/suggestions';
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
// A zoom is drawn from the last picture, scaled, until the view rests this long.
const restMs = 150;

/** compose is the map p ↦ m(n(p)). */
export function compose(m: Affine, n: Affine): Affine {
  return {
    a: m.a * n.a + m.c * n.b,
    b: m.b * n.a + m.d * n.b,
    c: m.a * n.c + m.c * n.d,
    d: m.b * n.c + m.d * n.d,
    e: m.a * n.e + m.c * n.f + m.e,
    f: m.b * n.e + m.d * n.f + m.f,
  };
}

/** sameLinear tells whether two maps differ only by a translation (a pan, no zoom or turn). */
export function sameLinear(m: Affine, n: Affine): boolean {
  const eps = 1e-9 * Math.max(Math.abs(m.a) + Math.abs(m.b), 1e-12);
  return Math.abs(m.a - n.a) <= eps && Math.abs(m.b - n.b) <= eps && Math.abs(m.c - n.c) <= eps && Math.abs(m.d - n.d) <= eps;
}

/** within tells whether rect a lies inside rect b. */
const within = (a: Rect, b: Rect): boolean => a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;

/** Picture is the dots drawn once for a zoom: a canvas of the view and a quarter more each side, its map from the image, what it covers. */
interface Picture {
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  map: Affine;
  covers: Rect;
  revision: number;
  dpr: number;
  drawn: number;
  mode: string;
}

/**
 * SuggestionOverlay is the suggestions layer's own canvas over the slide,
 * drawn the way marks are at scale: the grid index is asked for the dots in
 * view only (culling), they are bucketed per category in screen space, and
 * above 2,000 on screen they are written as rings into one ImageData (level
 * of detail: dashes mean nothing at 4 px), else stroked as dashed arcs, one
 * path per category. Unlike marks, which change under the pen, suggestions
 * only go away: the dots are drawn once per zoom into a picture of the
 * view and a quarter more each side, and a pan only moves that picture (one blit a frame, not
 * 100,000 rings); a zoom scales it until the view rests, then draws anew.
 * Regions go into the picture too, one path per category. The current
 * suggestion, the hovered one's score and E's draft are drawn over it
 * every frame by the painter.
 */
export class SuggestionOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly planner = new Planner();
  private readonly rings = new RingPainter(ringWidth);
  private readonly packed = new Map<string, number>();
  private readonly unlisten: () => void;
  private image: ImageData | null = null;
  private picture: Picture | null = null;
  private pending = 0;
  private rest: ReturnType<typeof setTimeout> | null = null;
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
    this.picture = null;
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
    const view = visibleImageRect(inv, width, height);
    let pic = this.picture;
    const fresh = pic !== null && pic.revision === this.index.revision && pic.dpr === dpr;
    if (pic === null || !fresh || (sameLinear(pic.map, m) && !within(view, pic.covers))) {
      pic = this.paintPicture(m, width, height, dpr);
    } else if (!sameLinear(pic.map, m)) {
      // Zooming: the last picture, scaled, until the view rests.
      if (this.rest !== null) clearTimeout(this.rest);
      this.rest = setTimeout(() => {
        this.rest = null;
        this.picture = null;
        this.invalidate();
      }, restMs);
    }
    const back = invert(pic.map);
    if (back !== null) {
      const t = compose(m, back);
      this.ctx.setTransform(dpr * t.a, dpr * t.b, dpr * t.c, dpr * t.d, dpr * t.e, dpr * t.f);
      this.ctx.drawImage(pic.canvas, 0, 0, pic.canvas.width / dpr, pic.canvas.height / dpr);
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.painter(this.ctx, m, expand(view, 8 / scaleOf(m)));
    this.record(start, pic.drawn, pic.mode);
  }

  /** paintPicture draws the dots around the view (a quarter of a view more each side) for the zoom of m. */
  private paintPicture(m: Affine, width: number, height: number, dpr: number): Picture {
    const pw = width + 2 * Math.round(width / 4);
    const ph = height + 2 * Math.round(height / 4);
    const map: Affine = { ...m, e: m.e + Math.round(width / 4), f: m.f + Math.round(height / 4) };
    let pic = this.picture;
    if (pic === null) {
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d');
      if (ctx === null) throw new Error('create suggestion picture: no 2D canvas context');
      pic = { canvas, ctx, map, covers: { x: 0, y: 0, width: 0, height: 0 }, revision: -1, dpr, drawn: 0, mode: 'none' };
    }
    const [cw, ch] = [Math.round(pw * dpr), Math.round(ph * dpr)];
    if (pic.canvas.width !== cw || pic.canvas.height !== ch) [pic.canvas.width, pic.canvas.height] = [cw, ch];
    pic.ctx.setTransform(1, 0, 0, 1, 0, 0);
    pic.ctx.clearRect(0, 0, cw, ch);
    const back = invert(map);
    const styles = (cat: number): CategoryStyle => ({ color: this.colorOf(this.index.points.categories[cat] ?? ''), visible: true });
    const plan = this.planner.plan(this.index.points, map, pw, ph, styles, options);
    const raster = plan.drawn > options.rasterAbove;
    if (raster) this.rasterFrame(pic.ctx, plan, dpr, styles);
    pic.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (!raster) this.vectorFrame(pic.ctx, plan, styles);
    const covers = back === null ? pic.covers : visibleImageRect(back, pw, ph);
    const areas = this.index.areasIn(covers);
    paintAreas(pic.ctx, areas, map, (cat) => this.colorOf(String(cat)));
    Object.assign(pic, {
      map,
      covers,
      revision: this.index.revision,
      dpr,
      drawn: plan.drawn + areas.length,
      mode: raster ? 'raster' : 'vector',
    });
    this.picture = pic;
    return pic;
  }

  private vectorFrame(c: CanvasRenderingContext2D, plan: ReturnType<Planner['plan']>, styles: (cat: number) => CategoryStyle): void {
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

  private rasterFrame(c: CanvasRenderingContext2D, plan: ReturnType<Planner['plan']>, dpr: number, styles: (cat: number) => CategoryStyle): void {
    const { width, height } = c.canvas;
    if (this.image?.width !== width || this.image.height !== height) this.image = new ImageData(width, height);
    const pixels = new Uint32Array(this.image.data.buffer);
    pixels.fill(0);
    this.rings.paint(pixels, width, height, dpr, plan, (cat) => this.pack(styles(cat).color));
    c.putImageData(this.image, 0, 0);
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
    if (this.rest !== null) clearTimeout(this.rest);
    this.picture = null;
    this.unlisten();
    this.canvas.remove();
    this.image = null;
    this.planner.release();
  }
}

/** Above denseAreas regions in the picture, they are drawn solid and thin: dashes at that density are noise and cost. */
const denseAreas = 2000;

/** paintAreas draws regions (polygons, lines) as one path per category: dashed, or solid when dense. */
export function paintAreas(c: CanvasRenderingContext2D, areas: readonly Suggestion[], m: Affine, colorOf: (category: number) => string): void {
  const byCat = new Map<number, Suggestion[]>();
  for (const s of areas) {
    const list = byCat.get(s.properties.category_id) ?? [];
    list.push(s);
    byCat.set(s.properties.category_id, list);
  }
  const dense = areas.length > denseAreas;
  c.setLineDash(dense ? [] : [6, 4]);
  c.lineWidth = dense ? 1 : ringWidth;
  for (const [cat, list] of byCat) {
    c.beginPath();
    for (const s of list) {
      const g = s.geometry;
      const rings = g.type === 'Polygon' ? g.coordinates : g.type === 'LineString' ? [g.coordinates] : [];
      for (const ring of rings) {
        ring.forEach(([x, y], i) => {
          const sx = m.a * x + m.c * y + m.e;
          const sy = m.b * x + m.d * y + m.f;
          if (i === 0) c.moveTo(sx, sy);
          else c.lineTo(sx, sy);
        });
      }
    }
    c.strokeStyle = colorOf(cat);
    c.stroke();
  }
  c.setLineDash([]);
}
