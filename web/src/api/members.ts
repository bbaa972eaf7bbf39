import type { ApiClient } from './client';
import { listItems } from './list';

export interface Member {
  user_id: number;
  username: string;
  display_name?: string;
  role: string;
}

export async function listMembers(api: ApiClient, projectId: string, signal?: AbortSignal): Promise<Member[]> {
  const body = await api.get<unknown>(`/api/v1/projects/${encodeURIComponent(projectId)}/members`, signal ? { signal } : {});
  return listItems<Member>(body, 'members');
}
