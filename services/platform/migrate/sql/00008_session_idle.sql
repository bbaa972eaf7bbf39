-- Idle timeout of sessions. Each session carries its own timeout (set by
-- the auth service at login, 0 for none) and when it was last seen, so
-- every service's authenticator can end an idle session without knowing
-- the auth service's settings. last_seen_at moves on when a service loads
-- the session from MySQL (its caches hold it at most a minute), so it is
-- exact to about a minute.

-- +goose Up
ALTER TABLE sessions
  ADD COLUMN idle_timeout_s INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN last_seen_at   DATETIME(6)  NULL;

-- +goose Down
ALTER TABLE sessions
  DROP COLUMN last_seen_at,
  DROP COLUMN idle_timeout_s;
