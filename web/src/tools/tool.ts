import OpenSeadragon from 'openseadragon';
import { scaleOf, type Affine, type Point } from '../viewer/geometry';
import type { SlideViewer } from '../viewer/viewer';

/** ToolPointer is a pointer event already converted to image coordinates. */
export interface ToolPointer {
  readonly image: Point;
  readonly screen: Point;
  readonly shift: boolean;
  /** alt is the Alt (Option) key: in select mode Alt+click on a corner removes it. */
  readonly alt?: boolean;
  /** quick is true for a click that was not the end of a drag. */
  readonly quick: boolean;
  /** scale is how many screen pixels one image pixel spans now: tolerances are set in screen pixels. */
  readonly scale: number;
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
  dblclick?(p: ToolPointer): boolean;
  /** move is the pointer moving without a button, for rubber bands and hover. */
  move?(p: ToolPointer): void;
  /** key handles keys meant for the tool (Enter, Escape, Delete); true when consumed. */
  onKey?(ev: KeyboardEvent): boolean;
  /** paint draws the tool's draft or selection over the marks. */
  paint?(ctx: CanvasRenderingContext2D, imageToScreen: Affine): void;
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
      (ev: { position: OpenSeadragon.Point; shift?: boolean; quick?: boolean; preventDefaultAction?: boolean; originalEvent?: Event }): void => {
        const fn = pick(this.current);
        const alt = ev.originalEvent instanceof MouseEvent && ev.originalEvent.altKey;
        const p = this.pointer(ev.position, ev.shift ?? false, ev.quick ?? false, alt);
        if (fn !== undefined && p !== null && fn.call(this.current, p)) ev.preventDefaultAction = true;
      };
    const click = route((t) => t.click);
    const dblclick = route((t) => t.dblclick);
    const press = route((t) => t.press);
    const drag = route((t) => t.drag);
    const release = route((t) => t.release);
    osd.addHandler('canvas-click', click);
    osd.addHandler('canvas-press', press);
    osd.addHandler('canvas-drag', drag);
    osd.addHandler('canvas-release', release);
    osd.addHandler('canvas-double-click', dblclick);
    // OpenSeadragon reports no plain pointer moves; polygon rubber bands need them.
    const onMove = (ev: PointerEvent): void => {
      const r = osd.canvas.getBoundingClientRect();
      const p = this.pointer(new OpenSeadragon.Point(ev.clientX - r.left, ev.clientY - r.top), ev.shiftKey, false);
      if (p !== null) this.current.move?.(p);
    };
    osd.canvas.addEventListener('pointermove', onMove);
    return () => {
      osd.canvas.removeEventListener('pointermove', onMove);
      osd.removeHandler('canvas-double-click', dblclick);
      osd.removeHandler('canvas-click', click);
      osd.removeHandler('canvas-press', press);
      osd.removeHandler('canvas-drag', drag);
      osd.removeHandler('canvas-release', release);
    };
  }

  private pointer(position: OpenSeadragon.Point, shift: boolean, quick: boolean, alt = false): ToolPointer | null {
    const m: Affine | null = this.viewer.imageToScreen();
    const image = this.viewer.screenToImage(position.x, position.y);
    if (image === null || m === null) return null;
    return { image, screen: { x: position.x, y: position.y }, shift, alt, quick, scale: scaleOf(m) };
  }
}
