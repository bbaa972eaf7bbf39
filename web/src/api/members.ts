import type { ApiClient } from './client';
import { listItems } from './list';

export interface Member {
  user_id: number;
  username: string;
  display_name?: string;
  role: string;
}

function membersPath(projectId: string): string {
  return `/api/v1/projects/${encodeURIComponent(projectId)}/members`;
}

export async function listMembers(api: ApiClient, projectId: string, signal?: AbortSignal): Promise<Member[]> {
  const body = await api.get<unknown>(membersPath(projectId), signal ? { signal } : {});
  return listItems<Member>(body, 'members');
}

/** getAssignment answers the categories a member may use; an empty list means all of them. */
export async function getAssignment(api: ApiClient, projectId: string, userId: number, signal?: AbortSignal): Promise<number[]> {
  const body = await api.get<{ category_ids?: number[] | null }>(`${membersPath(projectId)}/${userId}/categories`, signal ? { signal } : {});
  return body.category_ids ?? [];
}

export async function putAssignment(api: ApiClient, projectId: string, userId: number, categoryIds: readonly number[]): Promise<number[]> {
  const body = await api.put<{ category_ids?: number[] | null }>(`${membersPath(projectId)}/${userId}/categories`, { category_ids: categoryIds });
  return body.category_ids ?? [];
}
