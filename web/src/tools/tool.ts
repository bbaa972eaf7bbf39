import OpenSeadragon from 'openseadragon';
import type { Point } from '../viewer/geometry';
import type { SlideViewer } from '../viewer/viewer';

/** ToolPointer is a pointer event already converted to image coordinates. */
export interface ToolPointer {
  readonly image: Point;
  readonly screen: Point;
  readonly shift: boolean;
  /** quick is true for a click that was not the end of a drag. */
  readonly quick: boolean;
}

/**
 * Tool is one editing mode. Each handler returns true when it consumed the
 * event, which stops OpenSeadragon's default (pan on drag) for that event.
 */
export interface Tool {
  readonly id: string;
  readonly label: string;
  /** key is the single-letter keyboard shortcut, shown in the toolbar. */
  readonly key: string;
  readonly cursor: string;
  click?(p: ToolPointer): boolean;
  press?(p: ToolPointer): boolean;
  drag?(p: ToolPointer): boolean;
  release?(p: ToolPointer): boolean;
  activate?(): void;
  deactivate?(): void;
}

/** PanTool leaves every gesture to OpenSeadragon. */
export const panTool: Tool = { id: 'pan', label: 'Pan and zoom', key: 'h', cursor: 'grab' };

type Listener = (tool: Tool) => void;

/** ToolController routes the viewer's pointer events to the active tool. */
export class ToolController {
  private current: Tool;
  private readonly listeners = new Set<Listener>();
  private readonly unbind: () => void;

  constructor(
    private readonly viewer: SlideViewer,
    readonly tools: readonly Tool[],
  ) {
    const first = tools[0];
    if (first === undefined) throw new Error('tool controller: no tools');
    this.current = first;
    this.unbind = this.bind();
    this.applyCursor();
  }

  get active(): Tool {
    return this.current;
  }

  select(id: string): void {
    const next = this.tools.find((t) => t.id === id);
    if (next === undefined || next === this.current) return;
    this.current.deactivate?.();
    this.current = next;
    next.activate?.();
    this.applyCursor();
    for (const fn of this.listeners) fn(next);
  }

  /** selectByKey answers whether a tool owns the key. */
  selectByKey(key: string): boolean {
    const tool = this.tools.find((t) => t.key === key.toLowerCase());
    if (tool === undefined) return false;
    this.select(tool.id);
    return true;
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  destroy(): void {
    this.unbind();
    this.listeners.clear();
  }

  private applyCursor(): void {
    this.viewer.osd.canvas.style.cursor = this.current.cursor;
  }

  private bind(): () => void {
    const osd = this.viewer.osd;
    const route =
      (pick: (t: Tool) => ((p: ToolPointer) => boolean) | undefined) =>
      (ev: { position: OpenSeadragon.Point; shift?: boolean; quick?: boolean; preventDefaultAction?: boolean }): void => {
        const fn = pick(this.current);
        const p = this.pointer(ev.position, ev.shift ?? false, ev.quick ?? false);
        if (fn !== undefined && p !== null && fn.call(this.current, p)) ev.preventDefaultAction = true;
      };
    const click = route((t) => t.click);
    const press = route((t) => t.press);
    const drag = route((t) => t.drag);
    const release = route((t) => t.release);
    osd.addHandler('canvas-click', click);
    osd.addHandler('canvas-press', press);
    osd.addHandler('canvas-drag', drag);
    osd.addHandler('canvas-release', release);
    return () => {
      osd.removeHandler('canvas-click', click);
      osd.removeHandler('canvas-press', press);
      osd.removeHandler('canvas-drag', drag);
      osd.removeHandler('canvas-release', release);
    };
  }

  private pointer(position: OpenSeadragon.Point, shift: boolean, quick: boolean): ToolPointer | null {
    const image = this.viewer.screenToImage(position.x, position.y);
    if (image === null) return null;
    return { image, screen: { x: position.x, y: position.y }, shift, quick };
  }
}
