// A ring rasterizer for dense views of suggestions. A suggestion is drawn
// hollow (marks are filled discs), and when thousands are on screen asking
// the canvas to stroke as many dashed arcs costs far more than a frame: each
// ring is instead written into one ImageData from a precomputed list of the
// pixel offsets of a ring of that radius (about 2πr pixels, not πr²).

import type { FramePlan } from '../overlay/render';

/** ringOffsets lists the pixels (dx, dy) at distance r−width/2 … r+width/2 from a centre, width ≥ 1. */
export function ringOffsets(r: number, width: number): Int16Array {
  const inner = Math.max(0, r - width / 2);
  const outer = r + width / 2;
  const lim = Math.ceil(outer);
  const out: number[] = [];
  for (let dy = -lim; dy <= lim; dy++) {
    for (let dx = -lim; dx <= lim; dx++) {
      const d2 = dx * dx + dy * dy;
      if (d2 >= inner * inner && d2 <= outer * outer) out.push(dx, dy);
    }
  }
  return Int16Array.from(out);
}

/**
 * RingPainter writes the plan's circles as rings into device pixels,
 * reusing one list of offsets per whole-pixel radius.
 */
export class RingPainter {
  private readonly sprites = new Map<number, Int16Array>();

  constructor(private readonly width: number) {}

  paint(pixels: Uint32Array, w: number, h: number, dpr: number, plan: FramePlan, colors: (cat: number) => number): void {
    for (let cat = 0; cat < plan.counts.length; cat++) {
      const n = plan.counts[cat] as number;
      if (n === 0) continue;
      const buf = plan.buckets[cat] as Float32Array;
      const color = colors(cat);
      for (let i = 0; i < 3 * n; i += 3) {
        const cx = Math.round((buf[i] as number) * dpr);
        const cy = Math.round((buf[i + 1] as number) * dpr);
        const offs = this.sprite(Math.round((buf[i + 2] as number) * dpr), dpr);
        for (let k = 0; k < offs.length; k += 2) {
          const x = cx + (offs[k] as number);
          const y = cy + (offs[k + 1] as number);
          if (x >= 0 && y >= 0 && x < w && y < h) pixels[y * w + x] = color;
        }
      }
    }
  }

  private sprite(r: number, dpr: number): Int16Array {
    let s = this.sprites.get(r);
    if (s === undefined) {
      s = ringOffsets(r, Math.max(1, Math.round(this.width * dpr)));
      this.sprites.set(r, s);
    }
    return s;
  }
}
