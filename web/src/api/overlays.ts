import type { ApiClient } from './client';
import { listItems } from './list';

export interface Overlay {
  id: number;
  slide_id: number;
  name: string;
  opacity: number;
  status: string;
  progress: number;
  dzi_url?: string;
  error?: string;
  /** model is the model version the heatmap came from, null when none was named. */
  model?: { name: string; version: string } | null;
}

/** overlayTitle names an overlay with its model version: "tumour heatmap (pathofusion v3)". */
export function overlayTitle(o: Pick<Overlay, 'name' | 'model'>): string {
  return o.model ? `${o.name} (${o.model.name} ${o.model.version})` : o.name;
}

/** listOverlays answers a slide's heatmap and prediction overlays. */
export async function listOverlays(api: ApiClient, slideId: string, signal?: AbortSignal): Promise<Overlay[]> {
  const body = await api.get<unknown>(`/api/v1/slides/${encodeURIComponent(slideId)}/overlays`, signal ? { signal } : {});
  return listItems<Overlay>(body, 'overlays');
}
