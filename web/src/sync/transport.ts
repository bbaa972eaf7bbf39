import type { ApiClient } from '../api/client';
import { ApiError } from '../api/error';
import type { Feature } from '../marks/mark';

/** Saved is the server's record of a mark after a write. */
export interface Saved {
  readonly id: number;
  readonly version: number;
  readonly feature: Feature;
}

/**
 * Transport is how the save queue reaches the annotation service. Every
 * method rejects with an ApiError: status 0 when no answer came, 409 with the
 * current marks in body.current for a stale version, 404 for a gone mark.
 */
export interface Transport {
  /** create writes features in one transaction; retries with the same key answer the first result. */
  create(slide: string, features: readonly Feature[], key: string): Promise<Saved[]>;
  update(id: number, version: number, feature: Feature): Promise<Saved>;
  remove(id: number, version: number): Promise<void>;
}

/** ApiTransport is the Transport over the real API. */
export class ApiTransport implements Transport {
  constructor(private readonly api: ApiClient) {}

  async create(slide: string, features: readonly Feature[], key: string): Promise<Saved[]> {
    const body = await this.api.post<unknown>(
      '/api/v1/annotations',
      { slide_id: Number(slide), features },
      { headers: { 'Idempotency-Key': key } },
    );
    const saved = savedList(body);
    if (saved.length !== features.length) {
      throw new ApiError(200, 'internal', `The server saved ${saved.length} of ${features.length} marks.`);
    }
    return saved;
  }

  async update(id: number, version: number, feature: Feature): Promise<Saved> {
    const body = await this.api.patch<unknown>(`/api/v1/annotations/${id}`, feature, { headers: { 'If-Match': `"${version}"` } });
    return savedOne(body);
  }

  async remove(id: number, version: number): Promise<void> {
    await this.api.delete<void>(`/api/v1/annotations/${id}`, { headers: { 'If-Match': `"${version}"` } });
  }
}

/** savedList reads a FeatureCollection answer; features come in request order. */
export function savedList(body: unknown): Saved[] {
  const features = (body as { features?: unknown } | null)?.features;
  if (!Array.isArray(features)) throw new ApiError(200, 'internal', 'The server answered a write without the saved marks.');
  return features.map(savedOne);
}

export function savedOne(f: unknown): Saved {
  const feat = f as Partial<Feature> | null;
  const id = Number(feat?.id);
  const version = Number(feat?.properties?.version);
  if (feat === null || !Number.isFinite(id) || !Number.isFinite(version) || feat.geometry === undefined) {
    throw new ApiError(200, 'internal', 'The server answered a write with a mark that has no id or version.');
  }
  return { id, version, feature: feat as Feature };
}

/** conflictCurrent picks the current version of mark id out of a 409 answer, if the server sent it. */
export function conflictCurrent(err: ApiError, id: number): Saved | null {
  const current = (err.body as { current?: { features?: unknown[] } } | undefined)?.current?.features;
  for (const f of current ?? []) {
    try {
      const s = savedOne(f);
      if (s.id === id) return s;
    } catch {
      // A malformed entry is no answer: the caller treats the mark as unknown.
    }
  }
  return null;
}
