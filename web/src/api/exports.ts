import type { ApiClient } from './client';
import { listItems } from './list';

export const exportFormats = ['geojson', 'csv', 'coco', 'patches', 'pathofusion', 'masks', 'webdataset'] as const;

/** cutsPatches: formats that need patch sizes. */
export const cutsPatches = (formats: readonly string[]): boolean =>
  formats.includes('patches') || formats.includes('pathofusion') || formats.includes('webdataset');

/** ExportParams is what an export was asked for; empty id lists mean "all". */
export interface ExportParams {
  name?: string;
  formats: string[];
  review: string;
  slide_ids?: number[];
  category_ids?: number[];
  author_ids?: number[];
  patch_sizes?: number[];
  patch_format?: string;
  edge?: string;
  /** hard_negatives adds rejected model suggestions, in classes "hard_negative:<category>". */
  hard_negatives?: boolean;
}

export interface ExportJob {
  id: number;
  name?: string;
  pinned?: boolean;
  status: string;
  progress: number;
  marks: number;
  files: number;
  bytes: number;
  bucket: string;
  prefix: string;
  error?: string;
  created_at: string;
  params: ExportParams;
}

export interface ExportFile {
  path: string;
  size?: number;
  url: string;
}

/** ExportFilePage is one page of an export's download links; total counts them all. */
export interface ExportFilePage {
  files: ExportFile[];
  total: number;
}

/** ExportChoice is what the export form holds, before it becomes a request. */
export interface ExportChoice {
  name?: string;
  formats: readonly string[];
  review: string;
  slideIds: readonly number[];
  categoryIds: readonly number[];
  authorIds: readonly number[];
  patchSizes: string;
  patchFormat: string;
  edge: string;
  hardNegatives?: boolean;
}

// The export service's limits on a patch side, in pixels.
const minPatch = 8;
const maxPatch = 2048;

/**
 * exportRequest turns the form into the service's request, or names what is
 * wrong. Patch settings go only with a format that cuts patches, so the
 * job's recorded parameters say nothing about patches it never made.
 */
export function exportRequest(projectId: number, c: ExportChoice): { body: ExportParams & { project_id: number } } | { error: string } {
  if (c.formats.length === 0) return { error: 'Choose at least one format.' };
  const body: ExportParams & { project_id: number } = { project_id: projectId, formats: [...c.formats], review: c.review };
  const name = (c.name ?? '').trim();
  if (name.length > 200) return { error: 'A name has at most 200 characters.' };
  if (name !== '') body.name = name;
  if (c.slideIds.length > 0) body.slide_ids = [...c.slideIds];
  if (c.categoryIds.length > 0) body.category_ids = [...c.categoryIds];
  if (c.authorIds.length > 0) body.author_ids = [...c.authorIds];
  if (c.hardNegatives === true) body.hard_negatives = true;
  if (!cutsPatches(c.formats)) return { body };
  const sizes = parseSizes(c.patchSizes);
  if (typeof sizes === 'string') return { error: sizes };
  return { body: { ...body, patch_sizes: sizes, patch_format: c.patchFormat, edge: c.edge } };
}

function parseSizes(text: string): number[] | string {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0) return 'Give at least one patch size.';
  const sizes = parts.map(Number);
  const bad = parts.find((_, i) => !Number.isInteger(sizes[i]) || (sizes[i] ?? 0) < minPatch || (sizes[i] ?? 0) > maxPatch);
  if (bad !== undefined) return `Patch size "${bad}" must be a whole number of pixels from ${minPatch} to ${maxPatch}.`;
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** selectionSummary describes an export's selection in a few words. */
export function selectionSummary(p: ExportParams): string {
  const count = (ids: readonly number[] | undefined, one: string, many: string): string =>
    ids === undefined || ids.length === 0 ? `all ${many}` : `${ids.length} ${ids.length === 1 ? one : many}`;
  const parts = [count(p.slide_ids, 'slide', 'slides'), count(p.category_ids, 'category', 'categories'), count(p.author_ids, 'author', 'authors'),
    p.review === 'accepted' ? 'accepted only' : 'all reviews'];
  if (p.hard_negatives === true) parts.push('rejected suggestions as hard negatives');
  if (cutsPatches(p.formats)) parts.push(`${(p.patch_sizes ?? []).join('/')} px`);
  return parts.join(', ');
}

export async function listExports(api: ApiClient, projectId: string, signal?: AbortSignal): Promise<ExportJob[]> {
  const body = await api.get<unknown>(`/api/v1/exports?project_id=${encodeURIComponent(projectId)}`, signal ? { signal } : {});
  return listItems<ExportJob>(body, 'exports');
}

export function createExport(api: ApiClient, body: ExportParams & { project_id: number }): Promise<{ id: number }> {
  return api.post<{ id: number }>('/api/v1/exports', body);
}

/**
 * exportFiles reads the page of an export's download links that starts at
 * offset (manifest.json first); the service picks the page size.
 */
export async function exportFiles(api: ApiClient, id: number, offset = 0): Promise<ExportFilePage> {
  const body = await api.get<{ files?: ExportFile[]; total?: number }>(`/api/v1/exports/${id}/files?offset=${offset}`);
  const files = body.files ?? [];
  return { files, total: body.total ?? offset + files.length };
}

/** moreFiles says how many links are shown when some are not yet; '' once all are. */
export function moreFiles(shown: number, total: number): string {
  return shown < total ? `Showing ${shown.toLocaleString('en')} of ${total.toLocaleString('en')} files.` : '';
}

/** pinExport pins (retention never removes it) or unpins an export. */
export function pinExport(api: ApiClient, id: number, pinned: boolean): Promise<unknown> {
  return pinned ? api.put(`/api/v1/exports/${id}/pin`) : api.delete(`/api/v1/exports/${id}/pin`);
}

export function cancelExport(api: ApiClient, id: number): Promise<unknown> {
  return api.post(`/api/v1/exports/${id}/cancel`);
}
