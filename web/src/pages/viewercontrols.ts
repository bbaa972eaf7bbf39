import { h } from '../dom';
import type { ToolController } from '../tools/tool';
import type { SlideViewer } from '../viewer/viewer';

export interface RangeField {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  /** relabel changes how the value is spelled out (a slide's µm per pixel arrives after the page is built). */
  relabel(show: (v: number) => string): void;
}

/** rangeField is a labelled slider whose current value is spelled out beside it. */
export function rangeField(id: string, label: string, min: number, max: number, value: number, show: (v: number) => string): RangeField {
  const input = h('input', { id, type: 'range', min, max, value });
  const out = h('output', { for: id }, show(value));
  let spell = show;
  input.addEventListener('input', () => (out.textContent = spell(Number(input.value))));
  const relabel = (next: (v: number) => string): void => {
    spell = next;
    out.textContent = spell(Number(input.value));
  };
  return { element: h('div', { class: 'field' }, h('label', { for: id }, label), out, input), input, relabel };
}

/** sizeText spells a size in slide pixels, and in µm when the scan says how large a pixel is. */
export function sizeText(px: number, mpp: number | undefined): string {
  if (mpp === undefined || !(mpp > 0)) return `${px} px`;
  const um = px * mpp;
  return `${px} px · ${um >= 10 ? Math.round(um) : Number(um.toFixed(1))} µm`;
}

type Action = readonly [label: string, text: string, run: () => void];

export function toolbarGroup(label: string, actions: readonly Action[]): HTMLElement {
  return h(
    'div',
    { class: 'group', role: 'group', 'aria-label': label },
    ...actions.map(([l, text, run]) => h('button', { type: 'button', 'aria-label': l, title: l, onclick: run }, text)),
  );
}

/** toolButtons are toggle buttons, one per tool, that follow the active tool. */
export function toolButtons(tools: ToolController): HTMLButtonElement[] {
  const buttons = tools.tools.map((t) =>
    h(
      'button',
      {
        type: 'button',
        class: 'tool',
        'aria-pressed': String(t === tools.active),
        'aria-keyshortcuts': t.key.toUpperCase(),
        title: `${t.label} (${t.key.toUpperCase()})`,
        onclick: () => tools.select(t.id),
      },
      t.label,
      h('kbd', { 'aria-hidden': 'true' }, t.key.toUpperCase()),
    ),
  );
  tools.onChange((active) => buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(tools.tools[i] === active))));
  return buttons;
}

/** viewControls are the zoom, fit, rotate and full-screen buttons. */
export function viewControls(viewer: SlideViewer): HTMLElement {
  return toolbarGroup('View', [
    ['Zoom in', '+', () => viewer.zoomBy(1.5)],
    ['Zoom out', '−', () => viewer.zoomBy(1 / 1.5)],
    ['Fit slide to screen', 'Fit', () => viewer.home()],
    ['Rotate 90 degrees', 'Rotate', () => viewer.rotateBy(90)],
    ['Full screen', 'Full screen', () => viewer.toggleFullScreen()],
  ]);
}
