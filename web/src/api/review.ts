import type { ApiClient } from './client';
import { ApiError } from './error';

export type AnnotatorStatus = 'not_started' | 'in_progress' | 'done';

export interface Progress {
  user_id: number;
  username?: string;
  status: AnnotatorStatus | string;
  total?: number;
}

interface ProgressAnswer {
  slide_id: number;
  annotators?: Progress[];
}

/** slideProgress lists each annotator's status on a slide. */
export async function slideProgress(api: ApiClient, slideId: string, signal?: AbortSignal): Promise<Progress[]> {
  const body = await api.get<ProgressAnswer>(`/api/v1/annotations/status?slide_id=${encodeURIComponent(slideId)}`, signal ? { signal } : {});
  return body.annotators ?? [];
}

/** setStatus sets the signed-in annotator's status on a slide and answers everyone's. */
export async function setStatus(api: ApiClient, slideId: string, status: AnnotatorStatus): Promise<Progress[]> {
  const body = await api.put<ProgressAnswer>('/api/v1/annotations/status', { slide_id: Number(slideId), status });
  return body.annotators ?? [];
}

export type Decision = 'accepted' | 'rejected' | 'pending';

/** review records a reviewer's decision on marks; the answer carries the marks with their new versions. */
export async function review(api: ApiClient, slideId: string, ids: readonly number[], decision: Decision, comment = ''): Promise<unknown[]> {
  const body = await api.post<{ updated?: { features?: unknown[] } }>('/api/v1/annotations/review', { slide_id: Number(slideId), ids, decision, comment });
  const features = body.updated?.features;
  if (!Array.isArray(features)) throw new ApiError(200, 'internal', 'The server answered a review without the reviewed marks.');
  return features;
}
