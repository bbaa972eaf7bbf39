import type { ApiClient } from './client';

/** GroupRule maps a directory group to a role or to the right to get an account. */
export interface GroupRule {
  id?: number;
  group: string;
  kind: 'system' | 'project' | 'provision';
  role?: string;
  project?: string;
  /** config: from the chart's values, read-only here; admin: stored, removable. */
  source?: 'admin' | 'config';
  created_at?: string;
}

export interface SSOSettings {
  settings: {
    enabled: boolean;
    issuer?: string;
    groups_claim?: string;
    local_passwords: 'on' | 'break-glass';
    break_glass_accounts?: string[];
    session_ttl: string;
    idle_timeout: string;
  };
  rules: GroupRule[];
}

export function ssoSettings(api: ApiClient, signal?: AbortSignal): Promise<SSOSettings> {
  return api.get<SSOSettings>('/api/v1/auth/sso', signal ? { signal } : {});
}

export function createRule(api: ApiClient, rule: GroupRule): Promise<GroupRule> {
  return api.post<GroupRule>('/api/v1/auth/sso/rules', rule);
}

export function deleteRule(api: ApiClient, id: number): Promise<void> {
  return api.delete<void>(`/api/v1/auth/sso/rules/${id}`);
}

/** describeRule says in words what a rule gives, for the table and for screen readers. */
export function describeRule(r: GroupRule): string {
  switch (r.kind) {
    case 'system':
      return `system role ${r.role ?? ''}`;
    case 'project':
      return `${r.role ?? ''} in project ${r.project ?? ''}`;
    default:
      return 'may get an account on first sign-in';
  }
}
