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
