import type { SessionInfo, User } from './api/types';

type Listener = (user: User | null) => void;

/**
 * Session holds who is signed in and the CSRF token the server handed out
 * with the session cookie. The cookie itself is HttpOnly and never seen here.
 */
export class Session {
  private current: SessionInfo | null = null;
  private readonly listeners = new Set<Listener>();

  get user(): User | null {
    return this.current?.user ?? null;
  }

  get csrfToken(): string | undefined {
    return this.current?.csrf_token;
  }

  get signedIn(): boolean {
    return this.current !== null;
  }

  set(info: SessionInfo): void {
    this.current = info;
    this.emit();
  }

  clear(): void {
    if (this.current === null) return;
    this.current = null;
    this.emit();
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn(this.user);
  }
}

/** displayName is what the header shows: the display name when set, else the username. */
export function displayName(user: User): string {
  const name = user.display_name?.trim();
  return name !== undefined && name !== '' ? name : user.username;
}
