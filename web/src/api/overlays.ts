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
}

/** listOverlays answers a slide's heatmap and prediction overlays. */
export async function listOverlays(api: ApiClient, slideId: string, signal?: AbortSignal): Promise<Overlay[]> {
  const body = await api.get<unknown>(`/api/v1/slides/${encodeURIComponent(slideId)}/overlays`, signal ? { signal } : {});
  return listItems<Overlay>(body, 'overlays');
}
