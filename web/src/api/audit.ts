import type { ApiClient } from './client';

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string;
  project_id: number | null;
  client_ip: string;
}

/** AuditPage is one page, newest first; next_before is absent on the last page. */
export interface AuditPage {
  entries: AuditEntry[];
  next_before?: number;
}

/** AuditQuery filters the log; an action ending in "*" matches a prefix ("login.*"). */
export interface AuditQuery {
  action?: string;
  actorId?: number;
  before?: number;
  limit?: number;
}

/** auditPath builds the list URL, leaving out empty filters so the server applies none. */
export function auditPath(q: AuditQuery): string {
  const params = new URLSearchParams();
  params.set('limit', String(q.limit ?? 50));
  const action = q.action?.trim() ?? '';
  if (action !== '') params.set('action', action);
  if (q.actorId !== undefined && q.actorId > 0) params.set('actor_id', String(q.actorId));
  if (q.before !== undefined && q.before > 0) params.set('before', String(q.before));
  return `/api/v1/audit?${params.toString()}`;
}

export async function listAudit(api: ApiClient, q: AuditQuery, signal?: AbortSignal): Promise<AuditPage> {
  const page = await api.get<Partial<AuditPage>>(auditPath(q), signal ? { signal } : {});
  return page.next_before === undefined ? { entries: page.entries ?? [] } : { entries: page.entries ?? [], next_before: page.next_before };
}
