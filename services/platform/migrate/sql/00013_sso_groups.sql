-- Single sign-on as a hospital runs it: directory groups mapped to roles,
-- who may get an account, and the provider's sessions, so that signing out
-- there (RP-initiated or back-channel logout) signs out here.

-- +goose Up
-- Rules an admin set in the viewer; those from the chart's values live in
-- the service's configuration and are never stored. kind: system (role
-- admin/user), project (role in the project named), provision (members of
-- the group may get an account on first sign-in).
CREATE TABLE sso_group_rules (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  group_name   VARCHAR(255)    NOT NULL,
  kind         VARCHAR(16)     NOT NULL,
  role         VARCHAR(16)     NOT NULL DEFAULT '',
  project_name VARCHAR(128)    NOT NULL DEFAULT '',
  created_at   DATETIME(6)     NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY sso_group_rules_target (group_name, kind, project_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What the provider said at the last sign-in, for admins.
ALTER TABLE users
  ADD COLUMN sso_groups    JSON        NULL,
  ADD COLUMN sso_synced_at DATETIME(6) NULL;

-- A membership the group mapping granted is the mapping's to change or
-- remove; one an admin granted by hand is left alone by it.
ALTER TABLE project_members
  ADD COLUMN granted_by VARCHAR(16) NOT NULL DEFAULT 'admin';

-- The provider's session (sid claim) and the ID token, sent back as
-- id_token_hint when signing out at the provider.
ALTER TABLE sessions
  ADD COLUMN oidc_sid VARCHAR(255) NULL,
  ADD COLUMN id_token TEXT         NULL,
  ADD KEY sessions_oidc_sid (oidc_sid);

-- Back-channel logout tokens already used (jti), so one cannot be replayed.
CREATE TABLE oidc_logout_tokens (
  jti_hash   CHAR(64)    NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  PRIMARY KEY (jti_hash),
  KEY oidc_logout_tokens_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE oidc_logout_tokens;
ALTER TABLE sessions DROP KEY sessions_oidc_sid, DROP COLUMN id_token, DROP COLUMN oidc_sid;
ALTER TABLE project_members DROP COLUMN granted_by;
ALTER TABLE users DROP COLUMN sso_synced_at, DROP COLUMN sso_groups;
DROP TABLE sso_group_rules;
