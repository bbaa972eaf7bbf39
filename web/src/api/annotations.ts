import { fromFeature, type ServerMark } from '../marks/mark';
import type { ApiClient } from './client';
import { ApiError } from './error';

export interface BBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export interface MarkPage {
  readonly marks: ServerMark[];
  /** truncated: the server hit its limit; more marks exist in the box. */
  readonly truncated: boolean;
  /** skipped counts features this viewer could not read. */
  readonly skipped: number;
}

/** listAnnotations fetches the marks of a slide that intersect bbox (level-0 pixels). */
export async function listAnnotations(
  api: ApiClient,
  slideId: string,
  bbox: BBox,
  opts: { limit?: number; defaultRadius: number; signal?: AbortSignal },
): Promise<MarkPage> {
  const box = [bbox.x0, bbox.y0, bbox.x1, bbox.y1].map((v) => Math.round(v)).join(',');
  const limit = opts.limit === undefined ? '' : `&limit=${opts.limit}`;
  const path = `/api/v1/annotations?slide_id=${encodeURIComponent(slideId)}&bbox=${box}${limit}`;
  const body = await api.get<{ features?: unknown; truncated?: unknown }>(path, opts.signal ? { signal: opts.signal } : {});
  if (body === null || typeof body !== 'object' || !Array.isArray(body.features)) {
    throw new ApiError(200, 'internal', 'The server sent marks that are not a GeoJSON FeatureCollection.');
  }
  const marks: ServerMark[] = [];
  for (const f of body.features as unknown[]) {
    const m = fromFeature(f, opts.defaultRadius);
    if (m !== null) marks.push(m);
  }
  return { marks, truncated: body.truncated === true, skipped: body.features.length - marks.length };
}
