// The arithmetic of the side-by-side view: where the right slide must look
// so that it shows the same piece of tissue as the left one, at the same
// physical size on screen.

/** PairSlide is what the pairing needs to know of a slide. */
export interface PairSlide {
  readonly width: number;
  readonly height: number;
  /** mpp is microns per level-0 pixel; absent or 0 when the scanner did not say. */
  readonly mpp?: number | undefined;
}

/** Match is how the two slides' pixels are related. */
export type Match = 'mpp' | 'size' | 'pixels';

export interface Pairing {
  /** ratio is how many right-slide pixels one left-slide pixel spans. */
  readonly ratio: number;
  readonly match: Match;
}

/** ViewAt is a view: the image position at the screen's centre and the scale (screen px per image px). */
export interface ViewAt {
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

export interface Offset {
  readonly x: number;
  readonly y: number;
}

function known(mpp: number | undefined): mpp is number {
  return mpp !== undefined && Number.isFinite(mpp) && mpp > 0;
}

/** mppKnown tells whether both slides say their microns per pixel. */
export function mppKnown(left: PairSlide, right: PairSlide): boolean {
  return known(left.mpp) && known(right.mpp);
}

/**
 * pairing relates the two slides' pixels. "mpp": by microns per pixel, so
 * both show the same physical field (a 0.25 µm/px scan beside a 0.5 µm/px
 * one spans twice the pixels). "size": by the ratio of the image sizes, for
 * slides that do not say their resolution (two scans of the same glass).
 * "pixels": pixel for pixel. Without a wish, mpp when both slides know it,
 * else size.
 */
export function pairing(left: PairSlide, right: PairSlide, wish?: Match): Pairing {
  const match = wish ?? (mppKnown(left, right) ? 'mpp' : 'size');
  if (match === 'mpp' && known(left.mpp) && known(right.mpp)) return { ratio: left.mpp / right.mpp, match };
  if (match !== 'pixels' && left.width > 0 && left.height > 0 && right.width > 0 && right.height > 0) {
    // Width and height ratios differ when the scans were cropped differently: take their geometric mean.
    return { ratio: Math.sqrt((right.width / left.width) * (right.height / left.height)), match: 'size' };
  }
  return { ratio: 1, match: 'pixels' };
}

/**
 * follow answers where the other viewer must look when viewer `from` (0:
 * left, 1: right) shows view. The offset is in left-slide pixels: the left
 * position plus the offset is the place the right slide shows, scaled by
 * the ratio. The scale changes by the ratio too, so a micron spans as many
 * screen pixels on both sides.
 */
export function follow(view: ViewAt, from: 0 | 1, p: Pairing, offset: Offset): ViewAt {
  if (from === 0) return { x: (view.x + offset.x) * p.ratio, y: (view.y + offset.y) * p.ratio, scale: view.scale / p.ratio };
  return { x: view.x / p.ratio - offset.x, y: view.y / p.ratio - offset.y, scale: view.scale * p.ratio };
}

/** describePairing says in words how the two slides are matched, for the page. */
export function describePairing(p: Pairing): string {
  const r = String(Number(p.ratio.toPrecision(3)));
  switch (p.match) {
    case 'mpp':
      return `1 px left = ${r} px right (same physical size, from microns per pixel). Offsets are in pixels of the left slide.`;
    case 'size':
      return `1 px left = ${r} px right (from the image sizes: a slide does not say its microns per pixel). Offsets are in pixels of the left slide.`;
    case 'pixels':
      return '1 px left = 1 px right (pixel for pixel). Offsets are in pixels of the left slide.';
  }
}
