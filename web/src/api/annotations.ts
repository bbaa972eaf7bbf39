import type { ApiClient } from './client';
import { ApiError } from './error';

export interface BBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * FeaturePage is one answer of the marks in a box: GeoJSON features as the
 * service sent them. Reading them as marks is the marks layer's business
 * (marks/mark.ts `marksOf`), so this client knows nothing of the viewer's model.
 */
export interface FeaturePage {
  readonly features: unknown[];
  /** truncated: the server hit its limit; more marks exist in the box. */
  readonly truncated: boolean;
}

export interface ListOptions {
  limit?: number;
  /**
   * tolerance (level-0 pixels) asks for polygons and lines thinned by the
   * server (Douglas–Peucker); 0 or absent: the exact shapes.
   */
  tolerance?: number;
  signal?: AbortSignal;
}

/** listAnnotations fetches the features of a slide's marks that intersect bbox (level-0 pixels). */
export async function listAnnotations(api: ApiClient, slideId: string, bbox: BBox, opts: ListOptions): Promise<FeaturePage> {
  const limit = opts.limit === undefined ? '' : `&limit=${opts.limit}`;
  const lod = opts.tolerance !== undefined && opts.tolerance > 0 ? `&lod=simplify&tolerance=${opts.tolerance}` : '';
  const path = `/api/v1/annotations?slide_id=${encodeURIComponent(slideId)}&bbox=${boxParam(bbox)}${limit}${lod}`;
  const body = await api.get<{ features?: unknown; truncated?: unknown }>(path, opts.signal ? { signal: opts.signal } : {});
  if (body === null || typeof body !== 'object' || !Array.isArray(body.features)) {
    throw new ApiError(200, 'internal', 'The server sent marks that are not a GeoJSON FeatureCollection.');
  }
  return { features: body.features as unknown[], truncated: body.truncated === true };
}

/** getAnnotation fetches the feature of one mark with its exact shape, as the service sent it. */
export async function getAnnotation(api: ApiClient, id: number, signal?: AbortSignal): Promise<unknown> {
  return api.get<unknown>(`/api/v1/annotations/${id}`, signal ? { signal } : {});
}

/** GridCell is how many marks of one category have their centre in one square cell. */
export interface GridCell {
  /** col and row count cells of side `cell` from the slide's origin. */
  readonly col: number;
  readonly row: number;
  readonly category: string;
  readonly count: number;
}

export interface GridCounts {
  /** cell is the side of a cell in level-0 pixels. */
  readonly cell: number;
  readonly cells: GridCell[];
}

/** countCell is the finest grid the service keeps counts for; cells are multiples of it. */
export const countCell = 1024;

/**
 * gridCounts asks the service's level-of-detail counts: marks per cell of
 * `cell` pixels (a multiple of 1024) and category, over bbox, optionally of
 * one author. A zoomed-out slide of a million marks is a few hundred cells.
 */
export async function gridCounts(
  api: ApiClient,
  slideId: string,
  bbox: BBox,
  opts: { cell: number; author?: string; signal?: AbortSignal },
): Promise<GridCounts> {
  const author = opts.author === undefined ? '' : `&author_id=${encodeURIComponent(opts.author)}`;
  const path = `/api/v1/annotations?slide_id=${encodeURIComponent(slideId)}&bbox=${boxParam(bbox)}&lod=grid&cell=${opts.cell}${author}`;
  return parseGrid(await api.get<unknown>(path, opts.signal ? { signal: opts.signal } : {}));
}

/**
 * parseGrid reads the service's grid answer: a FeatureCollection of square
 * Polygon cells with properties {shape: "cell", category_id, count}.
 */
export function parseGrid(body: unknown): GridCounts {
  const fc = body as { lod?: unknown; cell?: unknown; features?: unknown } | null;
  const cell = Number(fc?.cell);
  if (fc === null || typeof fc !== 'object' || fc.lod !== 'grid' || !Array.isArray(fc.features) || !(cell > 0)) {
    throw new ApiError(200, 'internal', 'The server sent mark counts that are not a grid.');
  }
  const cells: GridCell[] = [];
  for (const f of fc.features as unknown[]) {
    const feat = f as { geometry?: { coordinates?: unknown }; properties?: { category_id?: unknown; count?: unknown } } | null;
    const corner = (feat?.geometry?.coordinates as unknown[][] | undefined)?.[0]?.[0];
    const count = Number(feat?.properties?.count);
    const category = feat?.properties?.category_id;
    if (!Array.isArray(corner) || !Number.isFinite(count) || (typeof category !== 'number' && typeof category !== 'string')) continue;
    const [x, y] = corner as number[];
    if (typeof x !== 'number' || typeof y !== 'number') continue;
    cells.push({ col: Math.round(x / cell), row: Math.round(y / cell), category: String(category), count });
  }
  return { cell, cells };
}

function boxParam(b: BBox): string {
  return [b.x0, b.y0, b.x1, b.y1].map((v) => Math.round(v)).join(',');
}
