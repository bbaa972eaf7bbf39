import type { ApiClient } from './client';
import type { SessionInfo } from './types';

export function login(api: ApiClient, username: string, password: string): Promise<SessionInfo> {
  return api.post<SessionInfo>('/api/v1/auth/login', { username, password }, { quiet401: true });
}

/** me answers the current session, or rejects with an ApiError of code "unauthorized". */
export function me(api: ApiClient): Promise<SessionInfo> {
  return api.get<SessionInfo>('/api/v1/auth/me', { quiet401: true });
}

/** LogoutResult carries, for a session that came from single sign-on, where to end the provider's session too. */
export interface LogoutResult {
  end_session_url?: string;
}

export function logout(api: ApiClient): Promise<LogoutResult | undefined> {
  return api.post<LogoutResult | undefined>('/api/v1/auth/logout', undefined, { quiet401: true });
}

export interface SSOInfo {
  enabled: boolean;
  login_url?: string;
  /** false when passwords are turned off for all but the break-glass accounts. */
  local_passwords?: boolean;
}

/** ssoInfo tells whether single sign-on is configured and where its flow starts. */
export function ssoInfo(api: ApiClient, signal?: AbortSignal): Promise<SSOInfo> {
  return api.get<SSOInfo>('/api/v1/auth/oidc', signal ? { signal, quiet401: true } : { quiet401: true });
}
