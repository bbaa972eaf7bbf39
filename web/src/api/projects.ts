import type { ApiClient } from './client';
import type { Category, Project } from './types';
import { listItems } from './list';

export async function listProjects(api: ApiClient, signal?: AbortSignal): Promise<Project[]> {
  const body = await api.get<unknown>('/api/v1/projects', signal ? { signal } : {});
  return listItems<Project>(body, 'projects');
}

/** createProject is for administrators; the creator is not made a member. */
export function createProject(api: ApiClient, in_: { name: string; description: string }): Promise<Project> {
  return api.post<Project>('/api/v1/projects', in_);
}

export async function listCategories(
  api: ApiClient,
  projectId: string,
  signal?: AbortSignal,
  opts: { archived?: boolean } = {},
): Promise<Category[]> {
  const path = `/api/v1/projects/${encodeURIComponent(projectId)}/categories${opts.archived === true ? '?archived=true' : ''}`;
  const body = await api.get<unknown>(path, signal ? { signal } : {});
  return listItems<Category>(body, 'categories');
}

/** CategoryPatch changes only the fields it holds. */
export type CategoryPatch = Partial<Pick<Category, 'name' | 'color' | 'shortcut' | 'class_id' | 'description' | 'order' | 'archived'>>;

export function patchCategory(api: ApiClient, projectId: string, id: Category['id'], patch: CategoryPatch): Promise<Category> {
  return api.patch<Category>(`/api/v1/projects/${encodeURIComponent(projectId)}/categories/${encodeURIComponent(String(id))}`, patch);
}

/** categoryChanges lists what an edit form changed, so an untouched field is not sent. */
export function categoryChanges(before: Category, after: Required<Omit<CategoryPatch, 'archived'>>): CategoryPatch {
  const out: CategoryPatch = {};
  if (after.name !== before.name) out.name = after.name;
  if (after.color.toLowerCase() !== before.color.toLowerCase()) out.color = after.color.toLowerCase();
  if (after.shortcut !== (before.shortcut ?? '')) out.shortcut = after.shortcut;
  if (after.class_id !== before.class_id) out.class_id = after.class_id;
  if (after.description !== (before.description ?? '')) out.description = after.description;
  if (after.order !== (before.order ?? 0)) out.order = after.order;
  return out;
}

export function getProject(api: ApiClient, projectId: string, signal?: AbortSignal): Promise<Project> {
  return api.get<Project>(`/api/v1/projects/${encodeURIComponent(projectId)}`, signal ? { signal } : {});
}

/** setBlind sets whether the project's annotators see only their own marks. */
export function setBlind(api: ApiClient, projectId: string, blind: boolean): Promise<Project> {
  return api.patch<Project>(`/api/v1/projects/${encodeURIComponent(projectId)}`, { blind_annotators: blind });
}
