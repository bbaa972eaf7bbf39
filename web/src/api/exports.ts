import type { ApiClient } from './client';
import { listItems } from './list';

export const exportFormats = ['geojson', 'csv', 'coco', 'patches', 'pathofusion', 'masks'] as const;

export interface ExportJob {
  id: number;
  status: string;
  progress: number;
  marks: number;
  files: number;
  bytes: number;
  bucket: string;
  prefix: string;
  error?: string;
  created_at: string;
  params: { formats: string[]; review: string };
}

export interface ExportFile {
  path: string;
  size?: number;
  url: string;
}

export async function listExports(api: ApiClient, projectId: string, signal?: AbortSignal): Promise<ExportJob[]> {
  const body = await api.get<unknown>(`/api/v1/exports?project_id=${encodeURIComponent(projectId)}`, signal ? { signal } : {});
  return listItems<ExportJob>(body, 'exports');
}

export function createExport(api: ApiClient, body: { project_id: number; formats: string[]; review: string; patch_sizes?: number[] }): Promise<{ id: number }> {
  return api.post<{ id: number }>('/api/v1/exports', body);
}

export async function exportFiles(api: ApiClient, id: number): Promise<ExportFile[]> {
  const body = await api.get<{ files?: ExportFile[] }>(`/api/v1/exports/${id}/files`);
  return body.files ?? [];
}

export function cancelExport(api: ApiClient, id: number): Promise<unknown> {
  return api.post(`/api/v1/exports/${id}/cancel`);
}
