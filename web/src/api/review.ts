import type { ApiClient } from './client';
import { ApiError } from './error';

export type AnnotatorStatus = 'not_started' | 'in_progress' | 'done';

export interface Progress {
  user_id: number;
  username?: string;
  status: AnnotatorStatus | string;
  total?: number;
  /** counts are this annotator's marks on the slide per category id. */
  counts?: Record<string, number>;
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

/** ReviewNote is the last decision a reviewer took on a mark, with what they wrote. */
export interface ReviewNote {
  readonly decision: string;
  readonly comment: string;
  /** reviewer is the user id of who decided. */
  readonly reviewer: string;
  readonly at: string;
  /** version is the mark's version the decision made. */
  readonly version: number;
}

/**
 * lastReview finds the latest review of a mark in its history (the service
 * keeps the comment there, not on the mark); null when it was never reviewed.
 */
export async function lastReview(api: ApiClient, id: number, signal?: AbortSignal): Promise<ReviewNote | null> {
  const body = await api.get<unknown>(`/api/v1/annotations/history?annotation_id=${id}&limit=500`, signal ? { signal } : {});
  return latestReview(body);
}

/** latestReview picks the newest "reviewed" event out of a history page (newest first). */
export function latestReview(body: unknown): ReviewNote | null {
  const events = (body as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) throw new ApiError(200, 'internal', 'The server sent a mark history without events.');
  for (const e of events as { action?: unknown; comment?: unknown; actor_id?: unknown; at?: unknown; version?: unknown; after?: { properties?: { review?: unknown } } | null }[]) {
    if (e?.action !== 'reviewed') continue;
    const decision = e.after?.properties?.review;
    return {
      decision: typeof decision === 'string' && decision !== '' ? decision : 'pending',
      comment: typeof e.comment === 'string' ? e.comment : '',
      reviewer: String(e.actor_id ?? ''),
      at: typeof e.at === 'string' ? e.at : '',
      version: Number(e.version) || 0,
    };
  }
  return null;
}
