import { ApiError } from './error';

/**
 * listItems accepts a bare JSON array or a paged envelope ({"<key>":[...]} or
 * {"items":[...]}): collections that page wrap their array, small ones do not.
 */
export function listItems<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const items = record[key] ?? record['items'];
    if (Array.isArray(items)) return items as T[];
  }
  throw new ApiError(200, 'internal', `The server sent an unexpected list of ${key}.`);
}
