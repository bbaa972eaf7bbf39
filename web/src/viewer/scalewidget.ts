import { h } from '../dom';
import { magnifications, powerLabel, scaleBar } from './scale';
import type { SlideViewer } from './viewer';

export interface Optics {
  /** mpp is microns per level-0 pixel; absent for images without it (plain PNG or JPEG). */
  readonly mpp?: number | undefined;
  /** objective is the scan's objective power (20, 40); absent when unknown. */
  readonly objective?: number | undefined;
}

/**
 * scaleWidget is the scale bar and the current magnification, drawn in a
 * corner of the slide view and kept up to date on every frame.
 */
export function scaleWidget(viewer: SlideViewer, optics: Optics): { element: HTMLElement; dispose: () => void } {
  const bar = h('div', { class: 'scale-bar-line' });
  const label = h('span', { class: 'scale-bar-label' });
  const mag = h('span', { class: 'scale-mag' });
  const element = h('div', { class: 'scale-widget', 'aria-live': 'off', 'data-testid': 'scale' }, h('div', { class: 'scale-bar' }, bar, label), mag);
  let pending = 0;
  // Servers send 0 for "unknown" (plain PNG or JPEG): no bar and no power then.
  const mpp = optics.mpp !== undefined && optics.mpp > 0 ? optics.mpp : undefined;
  const objective = optics.objective !== undefined && optics.objective > 0 ? optics.objective : undefined;
  element.hidden = mpp === undefined && objective === undefined;
  const update = (): void => {
    pending = 0;
    const s = viewer.scale();
    if (s === null) return;
    const b = mpp === undefined ? null : scaleBar(mpp / s);
    bar.parentElement?.toggleAttribute('hidden', b === null);
    if (b !== null) {
      bar.style.width = `${b.pixels.toFixed(1)}px`;
      label.textContent = b.label;
    }
    mag.textContent = objective === undefined ? '' : powerLabel(objective, s);
  };
  const unlisten = viewer.onRender(() => {
    if (pending === 0) pending = requestAnimationFrame(update);
  });
  return {
    element,
    dispose: () => {
      unlisten();
      if (pending !== 0) cancelAnimationFrame(pending);
    },
  };
}

/** magnificationButtons zoom to 1×…40× (up to the objective); none when the objective is unknown. */
export function magnificationButtons(viewer: SlideViewer, objective: number | undefined): HTMLElement | null {
  if (objective === undefined || !(objective > 0)) return null;
  return h(
    'div',
    { class: 'group', role: 'group', 'aria-label': 'Magnification' },
    ...magnifications(objective).map((m) =>
      h('button', { type: 'button', title: `Zoom to ${m}×`, 'aria-label': `Zoom to ${m}×`, onclick: () => viewer.zoomToScale(m / objective) }, `${m}×`),
    ),
  );
}
