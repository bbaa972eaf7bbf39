import type { ApiClient } from './client';
import { ApiError } from './error';

/** Suggestion is a model's predicted mark, as GET /api/v1/annotations/suggestions lists it. */
export interface Suggestion {
  readonly id: number;
  readonly geometry: { type: 'Point'; coordinates: [number, number] } | { type: 'Polygon'; coordinates: [number, number][][] } | { type: 'LineString'; coordinates: [number, number][] };
  readonly properties: {
    readonly category_id: number;
    readonly shape?: string;
    readonly radius?: number;
    readonly model: { name: string; version: string };
    /** scores, score and margin are absent for an annotator of a blinded project until they decide. */
    readonly scores?: Record<string, number>;
    readonly score?: number;
    readonly margin?: number;
    readonly state: 'undecided' | 'accepted' | 'rejected';
    readonly decision?: { by: number; at: string; mark_id: number | null; edited: boolean } | null;
  };
}

/** SuggestionProgress counts decisions: "reviewed of total reviewed". */
export interface SuggestionProgress {
  readonly total: number;
  readonly reviewed: number;
  readonly undecided: number;
  readonly accepted: number;
  readonly rejected: number;
}

const base = '/api/v1/annotations/suggestions';

/** listSuggestions reads a slide's suggestions in a box (x0,y0,x1,y1 level-0 pixels), undecided ones by default. */
export async function listSuggestions(api: ApiClient, slideId: string, bbox: readonly number[] | null, state = 'undecided', signal?: AbortSignal): Promise<Suggestion[]> {
  const q = new URLSearchParams({ slide_id: slideId, state });
  if (bbox !== null) q.set('bbox', bbox.map((v) => Math.round(v)).join(','));
  const body = await api.get<{ features?: unknown }>(`${base}?${q}`, signal ? { signal } : {});
  if (!Array.isArray(body.features)) throw new ApiError(200, 'internal', 'The server listed suggestions without features.');
  return body.features as Suggestion[];
}

/** nextSuggestion answers the most uncertain undecided suggestion after `after` (0: the first), null when none is left. */
export async function nextSuggestion(api: ApiClient, slideId: string, after = 0, by: 'uncertainty' | 'disagreement' = 'uncertainty'): Promise<Suggestion | null> {
  const q = new URLSearchParams({ slide_id: slideId, by });
  if (after > 0) q.set('after', String(after));
  try {
    return await api.get<Suggestion>(`${base}/next?${q}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** acceptSuggestion makes the suggestion a mark of the caller's, of category when given; answers the mark (GeoJSON). */
export function acceptSuggestion(api: ApiClient, id: number, category?: number): Promise<{ id: number; properties: Record<string, unknown> }> {
  return api.post(`${base}/${id}/accept`, category === undefined ? {} : { category_id: category });
}

/** rejectSuggestion records a reject and answers the decided suggestion. */
export function rejectSuggestion(api: ApiClient, id: number): Promise<Suggestion> {
  return api.post<Suggestion>(`${base}/${id}/reject`, {});
}

/** suggestionProgress counts decisions on a slide. */
export async function suggestionProgress(api: ApiClient, slideId: string): Promise<SuggestionProgress> {
  const body = await api.get<{ progress?: SuggestionProgress }>(`${base}/progress?slide_id=${encodeURIComponent(slideId)}`);
  if (body.progress === undefined) throw new ApiError(200, 'internal', 'The server answered progress without counts.');
  return body.progress;
}
