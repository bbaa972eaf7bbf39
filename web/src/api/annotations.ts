import type { PointMark } from '../overlay/points';
import type { ApiClient } from './client';
import { ApiError } from './error';

interface Feature {
  id?: string | number;
  geometry?: { type?: string; coordinates?: unknown } | null;
  properties?: Record<string, unknown> | null;
}

interface FeatureCollection {
  type?: string;
  features?: Feature[];
}

export interface BBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** listAnnotations fetches the marks of a slide that intersect bbox (level-0 pixels). */
export async function listAnnotations(
  api: ApiClient,
  slideId: string,
  bbox: BBox,
  signal?: AbortSignal,
): Promise<FeatureCollection> {
  const box = [bbox.x0, bbox.y0, bbox.x1, bbox.y1].map((v) => Math.round(v)).join(',');
  const path = `/api/v1/annotations?slide_id=${encodeURIComponent(slideId)}&bbox=${box}`;
  const body = await api.get<FeatureCollection>(path, signal ? { signal } : {});
  if (body === null || typeof body !== 'object' || !Array.isArray(body.features)) {
    throw new ApiError(200, 'internal', 'The server sent marks that are not a GeoJSON FeatureCollection.');
  }
  return body;
}

/**
 * pointMarks picks the point features out of a collection; other geometries
 * belong to the shape layer. Features without an id or category are server
 * bugs and are skipped rather than drawn wrongly.
 */
export function pointMarks(fc: FeatureCollection, defaultRadius: number): PointMark[] {
  const out: PointMark[] = [];
  for (const f of fc.features ?? []) {
    const mark = pointMark(f, defaultRadius);
    if (mark !== null) out.push(mark);
  }
  return out;
}

function pointMark(f: Feature, defaultRadius: number): PointMark | null {
  if (f.geometry?.type !== 'Point' || !Array.isArray(f.geometry.coordinates)) return null;
  const [x, y] = f.geometry.coordinates as unknown[];
  const props = f.properties ?? {};
  const id = f.id ?? props['id'];
  const category = props['category_id'];
  if (typeof x !== 'number' || typeof y !== 'number' || id === undefined || category === undefined) return null;
  const radius = typeof props['radius'] === 'number' && props['radius'] > 0 ? props['radius'] : defaultRadius;
  return { id: String(id), x, y, radius, category: String(category) };
}
