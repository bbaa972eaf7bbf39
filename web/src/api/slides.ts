import type { ApiClient } from './client';
import type { Slide } from './types';
import { listItems } from './list';

export async function listSlides(
  api: ApiClient,
  projectId: string,
  signal?: AbortSignal,
): Promise<Slide[]> {
  const path = `/api/v1/slides?project_id=${encodeURIComponent(projectId)}`;
  const body = await api.get<unknown>(path, signal ? { signal } : {});
  return listItems<Slide>(body, 'slides');
}

export function getSlide(api: ApiClient, slideId: string, signal?: AbortSignal): Promise<Slide> {
  return api.get<Slide>(`/api/v1/slides/${encodeURIComponent(slideId)}`, signal ? { signal } : {});
}

export function dziUrl(slideId: string): string {
  return `/tiles/${encodeURIComponent(slideId)}.dzi`;
}

export function thumbnailUrl(slideId: string): string {
  return `/tiles/${encodeURIComponent(slideId)}/thumbnail.jpeg`;
}

/** retrySlide queues a failed slide's ingest again; the tiler kept its file, so nothing is sent again. */
export function retrySlide(api: ApiClient, slideId: string): Promise<Slide> {
  return api.post<Slide>(`/api/v1/slides/${encodeURIComponent(slideId)}/retry`);
}

/**
 * slideStatusText is what the slide list says of a slide: how far tiling is, why a queued slide waits
 * (an object store outage is waited out by itself) or why it failed.
 */
export function slideStatusText(s: Slide): string {
  if (s.status === 'processing' || s.status === 'queued') {
    const waiting = s.error !== undefined && s.error !== '' ? ` (${s.error})` : '';
    return `${s.status} ${Math.round(s.progress ?? 0)}%${waiting}`;
  }
  if (s.status === 'failed') return `failed: ${s.error !== undefined && s.error !== '' ? s.error : 'unknown error'}`;
  return s.status;
}
