// The viewer's model of a mark and its GeoJSON form on the wire. Marks are
// keyed by a ref: the server id as a string once the server has the mark, or
// a client-made UUID until then.

import type { FeaturePage } from '../api/annotations';
import { ApiError } from '../api/error';

export type Ring = readonly (readonly [number, number])[];

export type AreaShape = 'polygon' | 'rectangle' | 'ellipse' | 'freehand';

export type Geometry =
  | { readonly kind: 'point'; readonly x: number; readonly y: number; readonly radius: number }
  /** rings are closed (last vertex repeats the first); the first is the outline, the rest holes. */
  | { readonly kind: AreaShape; readonly rings: readonly Ring[] }
  | { readonly kind: 'polyline'; readonly path: Ring };

export interface Mark {
  readonly ref: string;
  readonly category: string;
  readonly geometry: Geometry;
  readonly note?: string;
  /** author is the server's author_id, unknown for marks not yet saved. */
  readonly author?: string;
  readonly review?: string;
  /**
   * simplified marks were drawn from the server's thinned outline (a
   * zoomed-out view): good to look at, never to edit, since saving one would
   * throw the dropped vertices away.
   */
  readonly simplified?: boolean;
}

/** Feature is a GeoJSON Feature as the annotation service reads and writes it. */
export interface Feature {
  readonly type: 'Feature';
  readonly id?: number | string;
  readonly geometry: FeatureGeometry;
  readonly properties: FeatureProperties;
}

export type FeatureGeometry =
  | { readonly type: 'Point'; readonly coordinates: readonly [number, number] }
  | { readonly type: 'LineString'; readonly coordinates: Ring }
  | { readonly type: 'Polygon'; readonly coordinates: readonly Ring[] };

export interface FeatureProperties {
  readonly category_id: number;
  readonly radius?: number;
  readonly shape?: string;
  readonly note?: string;
  readonly version?: number;
  readonly author_id?: number;
  readonly review?: string;
  readonly [key: string]: unknown;
}

/** toFeature is the body the server gets for a mark: only what the client owns. */
export function toFeature(m: Mark): Feature {
  const g = m.geometry;
  const props: Record<string, unknown> = { category_id: Number(m.category) };
  if (m.note !== undefined && m.note !== '') props['note'] = m.note;
  let geometry: FeatureGeometry;
  if (g.kind === 'point') {
    geometry = { type: 'Point', coordinates: [g.x, g.y] };
    props['radius'] = g.radius;
  } else if (g.kind === 'polyline') {
    geometry = { type: 'LineString', coordinates: g.path };
  } else {
    geometry = { type: 'Polygon', coordinates: g.rings };
    props['shape'] = g.kind;
  }
  return { type: 'Feature', geometry, properties: props as unknown as FeatureProperties };
}

/** ServerMark is a mark as the server holds it, with the version If-Match needs. */
export interface ServerMark {
  readonly id: number;
  readonly version: number;
  readonly mark: Mark;
}

/**
 * fromFeature reads a server feature; null when it is not a mark this viewer
 * can draw (a server bug or a newer server), so it is skipped, not drawn wrong.
 */
export function fromFeature(f: unknown, defaultRadius: number): ServerMark | null {
  if (typeof f !== 'object' || f === null) return null;
  const feat = f as { id?: unknown; geometry?: { type?: unknown; coordinates?: unknown } | null; properties?: Record<string, unknown> | null };
  const props = feat.properties ?? {};
  const id = Number(feat.id ?? props['id']);
  const category = props['category_id'];
  if (!Number.isFinite(id) || (typeof category !== 'number' && typeof category !== 'string')) return null;
  const geometry = geometryOf(feat.geometry, props, defaultRadius);
  if (geometry === null) return null;
  const version = typeof props['version'] === 'number' ? props['version'] : 1;
  const mark: Mark = {
    ref: String(id),
    category: String(category),
    geometry,
    ...(typeof props['note'] === 'string' && props['note'] !== '' ? { note: props['note'] } : {}),
    ...(props['author_id'] !== undefined ? { author: String(props['author_id']) } : {}),
    ...(typeof props['review'] === 'string' ? { review: props['review'] } : {}),
  };
  return { id, version, mark };
}

/** MarkPage is one answer of the marks in a box, read as marks. */
export interface MarkPage {
  readonly marks: ServerMark[];
  /** truncated: the server hit its limit; more marks exist in the box. */
  readonly truncated: boolean;
  /** skipped counts features this viewer could not read. */
  readonly skipped: number;
}

/** marksOf reads a page of features as marks, skipping (and counting) those it cannot draw. */
export function marksOf(page: FeaturePage, defaultRadius: number): MarkPage {
  const marks: ServerMark[] = [];
  for (const f of page.features) {
    const m = fromFeature(f, defaultRadius);
    if (m !== null) marks.push(m);
  }
  return { marks, truncated: page.truncated, skipped: page.features.length - marks.length };
}

/** markOf reads the feature of mark id; a feature it cannot draw, or of another mark, is the server's fault. */
export function markOf(body: unknown, id: number, defaultRadius: number): ServerMark {
  const m = fromFeature(body, defaultRadius);
  if (m === null || m.id !== id) throw new ApiError(200, 'internal', `The server sent mark ${id} in a form this viewer cannot read.`);
  return m;
}

function geometryOf(g: { type?: unknown; coordinates?: unknown } | null | undefined, props: Record<string, unknown>, defaultRadius: number): Geometry | null {
  if (g === null || g === undefined) return null;
  if (g.type === 'Point') {
    const p = position(g.coordinates);
    if (p === null) return null;
    const r = props['radius'];
    return { kind: 'point', x: p[0], y: p[1], radius: typeof r === 'number' && r > 0 ? r : defaultRadius };
  }
  if (g.type === 'LineString') {
    const path = ring(g.coordinates);
    return path === null ? null : { kind: 'polyline', path };
  }
  if (g.type === 'Polygon' && Array.isArray(g.coordinates)) {
    const rings = g.coordinates.map(ring);
    if (rings.length === 0 || rings.some((r) => r === null)) return null;
    return { kind: areaShape(props['shape']), rings: rings as Ring[] };
  }
  return null;
}

function areaShape(s: unknown): AreaShape {
  return s === 'rectangle' || s === 'ellipse' || s === 'freehand' ? s : 'polygon';
}

function position(c: unknown): [number, number] | null {
  if (!Array.isArray(c) || c.length < 2) return null;
  const [x, y] = c as unknown[];
  return typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
}

function ring(c: unknown): Ring | null {
  if (!Array.isArray(c)) return null;
  const out: [number, number][] = [];
  for (const p of c) {
    const q = position(p);
    if (q === null) return null;
    out.push(q);
  }
  return out;
}

// The server keeps coordinates in thousandths of a pixel, so a feature read
// back differs from the one sent by up to half of that.
const tolerance = 0.001;

/**
 * sameContent tells whether two features describe the same mark (category,
 * shape, coordinates, radius, note), ignoring server-set properties. It lets a
 * retried edit whose first attempt did land be recognised as already saved.
 */
export function sameContent(a: Feature, b: Feature): boolean {
  const pa = a.properties;
  const pb = b.properties;
  if (Number(pa.category_id) !== Number(pb.category_id) || (pa.note ?? '') !== (pb.note ?? '')) return false;
  if (a.geometry.type !== b.geometry.type) return false;
  if (a.geometry.type === 'Polygon' && (pa.shape ?? 'polygon') !== (pb.shape ?? 'polygon')) return false;
  if (a.geometry.type === 'Point' && !near(pa.radius ?? 0, pb.radius ?? 0)) return false;
  return sameCoordinates(a.geometry.coordinates, b.geometry.coordinates);
}

function sameCoordinates(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return near(a, b);
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameCoordinates(a[i], b[i])) return false;
  return true;
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= tolerance;
}
