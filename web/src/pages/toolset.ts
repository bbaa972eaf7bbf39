// The workspace's tools and keyboard shortcuts.

import { newId } from '../ids';
import type { MarkDocument } from '../marks/document';
import type { Mark } from '../marks/mark';
import type { EditContext } from '../tools/context';
import { DragShapeTool, PolygonTool } from '../tools/draw';
import { EraserTool } from '../tools/eraser';
import { PointTool } from '../tools/point';
import { BrushTool } from '../tools/brush';
import { SelectTool } from '../tools/select';
import { panTool, type Tool, type ToolController } from '../tools/tool';
import { shortcutAllowed } from './keys';
import type { Palette } from './palette';
import type { ReviewMode } from './review';
import type { SuggestionMode } from '../suggestions/mode';
import type { Setup } from './setup';

export function editContext(s: Setup, doc: MarkDocument, visible: (m: Mark) => boolean, invalidate: () => void, exact: (m: Mark) => Promise<Mark | undefined>): EditContext {
  return {
    exact,
    doc,
    category: () => s.palette.activeId(),
    newId,
    color: (c) => s.palette.byId(c)?.color ?? '#000',
    visible,
    invalidate,
    notify: (msg) => s.report(new Error(msg)),
  };
}

export function makeTools(s: Setup, edit: EditContext): Tool[] {
  const select = new SelectTool(edit);
  select.categoryAt = (i) => s.palette.idAt(i);
  const point = new PointTool({
    category: () => s.palette.activeId(),
    inside: (x, y) => x >= 0 && y >= 0 && x <= s.size.width && y <= s.size.height,
    radius: () => Number(s.markerSize.value),
    newId,
    place: (mark) => edit.doc.commit([{ ref: mark.ref, after: mark }]),
  });
  return [
    panTool,
    point,
    new PolygonTool(edit),
    new PolygonTool(edit, 'polyline'),
    new DragShapeTool('rectangle', edit),
    new DragShapeTool('ellipse', edit),
    new DragShapeTool('freehand', edit),
    new BrushTool(edit, () => Number(s.brushWidth.value)),
    select,
    new EraserTool(edit),
  ];
}

/**
 * shortcut routes keys: the active tool first (Enter, Escape, Delete), then
 * Ctrl+Z / Ctrl+Shift+Z, 1–9 for categories, letters for tools, ? for help.
 * Nothing while the user types in a field or a dialog is open.
 */
export function shortcut(ev: KeyboardEvent, tools: ToolController, palette: Palette, doc: MarkDocument, help: HTMLDialogElement, review: ReviewMode, suggestions: SuggestionMode): void {
  // Focus left on a legend entry, a box or a slider must not turn the shortcuts off (keys.ts).
  if (!shortcutAllowed(ev.target instanceof HTMLElement ? ev.target : null, ev.key)) return;
  if (review.onKey(ev)) return ev.preventDefault();
  if (suggestions.onKey(ev)) return ev.preventDefault();
  if (tools.active.onKey?.(ev) === true) return ev.preventDefault();
  if ((ev.ctrlKey || ev.metaKey) && !ev.altKey) return history(ev, doc);
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === '?') {
    help.showModal();
    return ev.preventDefault();
  }
  if (/^[1-9]$/.test(ev.key)) {
    if (palette.selectIndex(Number(ev.key) - 1)) ev.preventDefault();
    return;
  }
  if (tools.selectByKey(ev.key)) ev.preventDefault();
}

function history(ev: KeyboardEvent, doc: MarkDocument): void {
  const key = ev.key.toLowerCase();
  if (key === 'z' && !ev.shiftKey) doc.undo();
  else if ((key === 'z' && ev.shiftKey) || key === 'y') doc.redo();
  else return;
  ev.preventDefault();
}
