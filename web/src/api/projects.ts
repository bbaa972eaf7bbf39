import type { ApiClient } from './client';
import type { Category, Project } from './types';
import { listItems } from './list';

export async function listProjects(api: ApiClient, signal?: AbortSignal): Promise<Project[]> {
  const body = await api.get<unknown>('/api/v1/projects', signal ? { signal } : {});
  return listItems<Project>(body, 'projects');
}

export async function listCategories(
  api: ApiClient,
  projectId: string,
  signal?: AbortSignal,
): Promise<Category[]> {
  const path = `/api/v1/projects/${encodeURIComponent(projectId)}/categories`;
  const body = await api.get<unknown>(path, signal ? { signal } : {});
  return listItems<Category>(body, 'categories');
}
