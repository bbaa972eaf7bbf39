import type { Mark } from '../marks/mark';
import type { Tool, ToolPointer } from './tool';

export interface PointToolContext {
  /** category answers the active category id, or null when the project has none. */
  category(): string | null;
  /** inside tells whether an image position is on the slide; clicks beside it place nothing. */
  inside(x: number, y: number): boolean;
  /** radius answers the marker radius in image pixels. */
  radius(): number;
  newId(): string;
  place(mark: Mark): void;
}

/** PointTool places one dot of the active category per click: the original tool's main mode. */
export class PointTool implements Tool {
  readonly id = 'point';
  readonly label = 'Point marker';
  readonly key = 'p';
  readonly cursor = 'crosshair';

  constructor(private readonly ctx: PointToolContext) {}

  click(p: ToolPointer): boolean {
    // A drag that ends on the canvas is a pan, not a mark.
    if (!p.quick) return false;
    const category = this.ctx.category();
    if (category === null || !this.ctx.inside(p.image.x, p.image.y)) return true;
    this.ctx.place({ ref: this.ctx.newId(), category, geometry: { kind: 'point', x: p.image.x, y: p.image.y, radius: this.ctx.radius() } });
    return true;
  }
}
