// Scale bar and magnification, from the slide's microns per pixel and the
// objective power it was scanned at.

export interface ScaleBar {
  /** pixels is the bar's length on screen. */
  readonly pixels: number;
  readonly label: string;
}

const steps = [1, 2, 5];

/**
 * scaleBar picks a round length (1, 2 or 5 × 10ⁿ µm, or mm from 1 mm on)
 * whose bar is at least minPixels long on screen. micronsPerScreenPixel is
 * the slide's mpp divided by the current zoom (screen px per image px).
 */
export function scaleBar(micronsPerScreenPixel: number, minPixels = 80): ScaleBar | null {
  if (!(micronsPerScreenPixel > 0) || !Number.isFinite(micronsPerScreenPixel)) return null;
  const want = micronsPerScreenPixel * minPixels;
  let exp = Math.floor(Math.log10(want));
  for (;;) {
    for (const s of steps) {
      const microns = s * 10 ** exp;
      if (microns >= want) return { pixels: microns / micronsPerScreenPixel, label: lengthLabel(microns) };
    }
    exp++;
  }
}

function lengthLabel(microns: number): string {
  if (microns >= 1000) return `${trim(microns / 1000)} mm`;
  if (microns < 1) return `${trim(microns * 1000)} nm`;
  return `${trim(microns)} µm`;
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** magnifications lists the usual objective steps up to the scan's objective power. */
export function magnifications(objective: number): number[] {
  return [1, 2, 5, 10, 20, 40, 60, 80, 100].filter((m) => m <= objective);
}

/** magnification is the optical power the screen shows now: the scan's objective at 1:1. */
export function magnification(objective: number, screenPerImagePixel: number): number {
  return objective * screenPerImagePixel;
}

export function magnificationLabel(m: number): string {
  return `${m >= 10 ? Math.round(m) : Number(m.toFixed(1))}×`;
}

/**
 * powerLabel names the power the screen shows now. Up to the scan's objective
 * it is optical power; beyond it the viewer only enlarges pixels, and says so
 * ("20× · digital 2×") rather than claim a 40× that no lens gave.
 */
export function powerLabel(objective: number, screenPerImagePixel: number): string {
  // Within 2 % of 1:1 is the objective itself (zoom steps do not land exactly).
  if (screenPerImagePixel <= 1.02) return magnificationLabel(Math.min(objective, magnification(objective, screenPerImagePixel)));
  return `${magnificationLabel(objective)} · digital ${Number(screenPerImagePixel.toFixed(1))}×`;
}
