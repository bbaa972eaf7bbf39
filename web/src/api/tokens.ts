import type { ApiClient } from './client';
import { listItems } from './list';

export interface Token {
  id: number;
  name: string;
  read_only: boolean;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  /** token is the secret, present only in the answer that created it. */
  token?: string;
}

export interface TokenInput {
  name: string;
  expires_in_days: number;
  read_only: boolean;
}

export type TokenState = 'active' | 'revoked' | 'expired';

/** tokenState says whether a token still opens the API at the time now. */
export function tokenState(t: Pick<Token, 'revoked_at' | 'expires_at'>, now: Date): TokenState {
  if (t.revoked_at !== null) return 'revoked';
  return Date.parse(t.expires_at) <= now.getTime() ? 'expired' : 'active';
}

export async function listTokens(api: ApiClient, signal?: AbortSignal): Promise<Token[]> {
  return listItems<Token>(await api.get<unknown>('/api/v1/tokens', signal ? { signal } : {}), 'tokens');
}

export function createToken(api: ApiClient, in_: TokenInput): Promise<Token> {
  return api.post<Token>('/api/v1/tokens', in_);
}

export function revokeToken(api: ApiClient, id: number): Promise<unknown> {
  return api.delete(`/api/v1/tokens/${id}`);
}
