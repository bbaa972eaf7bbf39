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

/** SuggestionPage is one answer of the list: truncated when more lie in the box than limit. */
export interface SuggestionPage {
  readonly features: Suggestion[];
  readonly truncated: boolean;
}

/** listSuggestionPage reads up to limit suggestions in a box (x0,y0,x1,y1, level-0 pixels; widened to whole pixels). */
export async function listSuggestionPage(api: ApiClient, slideId: string, bbox: readonly [number, number, number, number], opts: { state?: string; limit: number; signal?: AbortSignal }): Promise<SuggestionPage> {
  const [x0, y0, x1, y1] = bbox;
  const q = new URLSearchParams({ slide_id: slideId, state: opts.state ?? 'undecided', limit: String(opts.limit) });
  q.set('bbox', [Math.floor(x0), Math.floor(y0), Math.ceil(x1), Math.ceil(y1)].join(','));
  const body = await api.get<{ features?: unknown; truncated?: unknown }>(`${base}?${q}`, opts.signal ? { signal: opts.signal } : {});
  if (!Array.isArray(body.features)) throw new ApiError(200, 'internal', 'The server listed suggestions without features.');
  return { features: body.features as Suggestion[], truncated: body.truncated === true };
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

/** AcceptEdit is an edited accept: the shape as the person left it (GeoJSON geometry; radius for a point, shape for an area). */
export interface AcceptEdit {
  readonly geometry: Suggestion['geometry'] | { readonly type: string; readonly coordinates: unknown };
  readonly radius?: number;
  readonly shape?: string;
}

/**
 * acceptSuggestion makes the suggestion a mark of the caller's, of category
 * when given, of the edited shape when given (the server then records the
 * decision as edited); answers the mark (GeoJSON).
 */
export function acceptSuggestion(api: ApiClient, id: number, category?: number, edit?: AcceptEdit): Promise<{ id: number; properties: Record<string, unknown> }> {
  const body: Record<string, unknown> = {};
  if (category !== undefined) body['category_id'] = category;
  if (edit !== undefined) {
    body['geometry'] = edit.geometry;
    if (edit.radius !== undefined) body['radius'] = edit.radius;
    if (edit.shape !== undefined) body['shape'] = edit.shape;
  }
  return api.post(`${base}/${id}/accept`, body);
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

/** ProjectProgress is a project's decisions so far, in all and per slide. */
export interface ProjectProgress {
  readonly reviewed: number;
  readonly total: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly slides: readonly { readonly slide_id: number; readonly reviewed: number; readonly total: number }[];
  /** models are every version ("name@version") with suggestions in the project, whichever was counted. */
  readonly models: readonly string[];
}

/**
 * projectSuggestionProgress counts a project's decisions ("312 of 2,048
 * reviewed"), of one model version ("name@version") when given:
 * GET /suggestions/progress?project_id=N[&model=] answering
 * {reviewed, total, accepted, rejected, slides:[{slide_id, reviewed, total}], models:["name@version"]}.
 */
export async function projectSuggestionProgress(api: ApiClient, projectId: string, model?: string, signal?: AbortSignal): Promise<ProjectProgress> {
  const q = new URLSearchParams({ project_id: projectId });
  if (model !== undefined && model !== '') q.set('model', model);
  const body = await api.get<Partial<ProjectProgress>>(`${base}/progress?${q}`, signal ? { signal } : {});
  const n = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!n(body.reviewed) || !n(body.total) || !n(body.accepted) || !n(body.rejected) || !Array.isArray(body.slides)) {
    throw new ApiError(200, 'internal', 'The server answered a project\'s progress without its counts.');
  }
  const models = Array.isArray(body.models) ? body.models.filter((m): m is string => typeof m === 'string') : [];
  return { reviewed: body.reviewed, total: body.total, accepted: body.accepted, rejected: body.rejected, slides: body.slides, models };
}
