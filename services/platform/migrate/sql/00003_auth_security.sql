-- Failed-login counters, pending single sign-on logins, and an index for
-- reading the audit log by project.

-- +goose Up
-- One row per throttled username ("user:<name>") or client address
-- ("ip:<addr>"). In MySQL, not Redis, so every replica sees the same
-- counts and a Redis flush does not reset a guesser's budget.
CREATE TABLE login_throttle (
  scope_key     VARCHAR(100)  NOT NULL,
  failures      INT           NOT NULL,
  window_start  DATETIME(6)   NOT NULL,
  locked_until  DATETIME(6)   NULL,
  PRIMARY KEY (scope_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A login sent to the OpenID Connect provider and not yet back. The
-- browser holds the state in a cookie; the PKCE verifier and nonce never
-- leave the server. Rows are used once and expire after minutes.
CREATE TABLE oidc_logins (
  state_hash    CHAR(64)      NOT NULL,
  verifier      VARCHAR(128)  NOT NULL,
  nonce         VARCHAR(64)   NOT NULL,
  return_to     VARCHAR(255)  NOT NULL DEFAULT '',
  expires_at    DATETIME(6)   NOT NULL,
  PRIMARY KEY (state_hash),
  KEY oidc_logins_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX audit_log_project ON audit_log (project_id, at);

-- +goose Down
DROP INDEX audit_log_project ON audit_log;
DROP TABLE oidc_logins;
DROP TABLE login_throttle;
