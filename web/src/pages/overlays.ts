import type { ApiClient } from '../api/client';
import { listOverlays, overlayTitle, type Overlay } from '../api/overlays';
import { h, replaceChildren } from '../dom';
import type { SlideViewer } from '../viewer/viewer';

/**
 * overlayPanel lists a slide's heatmap and prediction overlays (the
 * original's "Show Heatmap"): each can be shown over the slide, aligned at
 * every zoom, with its own opacity.
 */
export function overlayPanel(api: ApiClient, slideId: string, viewer: SlideViewer, signal: AbortSignal): HTMLElement {
  const list = h('div', { class: 'overlay-list' }, h('p', { class: 'status' }, 'Loading overlays…'));
  listOverlays(api, slideId, signal).then(
    (os) => replaceChildren(list, ...(os.length === 0 ? [h('p', { class: 'status' }, 'No overlays for this slide.')] : os.map((o) => overlayRow(o, viewer)))),
    () => replaceChildren(list, h('p', { class: 'status' }, 'Overlays are not available.')),
  );
  return h('fieldset', { class: 'overlays' }, h('legend', null, 'Overlays'), list);
}

function overlayRow(o: Overlay, viewer: SlideViewer): HTMLElement {
  if (o.status !== 'ready' || o.dzi_url === undefined) {
    return h('p', { class: 'status' }, `${o.name}: ${o.status}${o.status === 'failed' ? ` (${o.error ?? ''})` : ` ${o.progress}%`}`);
  }
  const id = `overlay-${o.id}`;
  const show = h('input', { type: 'checkbox', id });
  const opacity = h('input', { type: 'range', min: 0, max: 100, value: Math.round(o.opacity * 100), 'aria-label': `Opacity of ${o.name}`, disabled: true });
  let layer: ((opacity: number | null) => void) | null = null;
  show.addEventListener('change', () => {
    opacity.disabled = !show.checked;
    if (show.checked) layer = viewer.addLayer(o.dzi_url as string, Number(opacity.value) / 100);
    else {
      layer?.(null);
      layer = null;
    }
  });
  opacity.addEventListener('input', () => layer?.(Number(opacity.value) / 100));
  return h('div', { class: 'overlay-row' }, show, h('label', { for: id }, `Show ${overlayTitle(o)}`), opacity);
}
