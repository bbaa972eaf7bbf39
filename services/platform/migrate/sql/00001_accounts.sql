-- Accounts, sessions, tokens, projects, categories and the audit log:
-- everything the auth service owns and the shared middleware reads.

-- +goose Up
CREATE TABLE users (
  id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  username            VARCHAR(64)  NOT NULL,
  display_name        VARCHAR(128) NOT NULL DEFAULT '',
  email               VARCHAR(254) NOT NULL DEFAULT '',
  password_hash       VARCHAR(255) NOT NULL DEFAULT '',
  system_role         VARCHAR(16)  NOT NULL DEFAULT 'user',
  disabled            TINYINT(1)   NOT NULL DEFAULT 0,
  oidc_subject        VARCHAR(255) NULL,
  created_at          DATETIME(6)  NOT NULL,
  updated_at          DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY users_username (username),
  UNIQUE KEY users_oidc_subject (oidc_subject)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A session row is the only durable copy of a session; Redis may cache it.
-- The id column holds the SHA-256 of the cookie value, never the value.
CREATE TABLE sessions (
  id           CHAR(64)        NOT NULL,
  user_id      BIGINT UNSIGNED NOT NULL,
  csrf_token   CHAR(64)        NOT NULL,
  created_at   DATETIME(6)     NOT NULL,
  expires_at   DATETIME(6)     NOT NULL,
  revoked_at   DATETIME(6)     NULL,
  user_agent   VARCHAR(255)    NOT NULL DEFAULT '',
  client_ip    VARCHAR(64)     NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY sessions_user (user_id),
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE api_tokens (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id      BIGINT UNSIGNED NOT NULL,
  name         VARCHAR(128)    NOT NULL,
  token_hash   CHAR(64)        NOT NULL,
  read_only    TINYINT(1)      NOT NULL DEFAULT 0,
  created_at   DATETIME(6)     NOT NULL,
  expires_at   DATETIME(6)     NULL,
  revoked_at   DATETIME(6)     NULL,
  last_used_at DATETIME(6)     NULL,
  PRIMARY KEY (id),
  UNIQUE KEY api_tokens_hash (token_hash),
  KEY api_tokens_user (user_id),
  CONSTRAINT api_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE projects (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name         VARCHAR(128)    NOT NULL,
  description  TEXT            NOT NULL,
  settings     JSON            NULL,
  created_at   DATETIME(6)     NOT NULL,
  updated_at   DATETIME(6)     NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY projects_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE project_members (
  project_id   BIGINT UNSIGNED NOT NULL,
  user_id      BIGINT UNSIGNED NOT NULL,
  role         VARCHAR(16)     NOT NULL,
  created_at   DATETIME(6)     NOT NULL,
  PRIMARY KEY (project_id, user_id),
  KEY project_members_user (user_id),
  CONSTRAINT project_members_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
  CONSTRAINT project_members_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Categories are archived, never deleted, once marks use them.
CREATE TABLE categories (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  project_id   BIGINT UNSIGNED NOT NULL,
  class_id     INT             NOT NULL,
  name         VARCHAR(128)    NOT NULL,
  color        CHAR(7)         NOT NULL,
  shortcut     VARCHAR(8)      NOT NULL DEFAULT '',
  sort_order   INT             NOT NULL DEFAULT 0,
  description  TEXT            NOT NULL,
  archived     TINYINT(1)      NOT NULL DEFAULT 0,
  created_at   DATETIME(6)     NOT NULL,
  updated_at   DATETIME(6)     NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY categories_class (project_id, class_id),
  CONSTRAINT categories_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which categories an annotator may use; no rows means all of the project's.
CREATE TABLE category_assignments (
  category_id  BIGINT UNSIGNED NOT NULL,
  user_id      BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (category_id, user_id),
  KEY category_assignments_user (user_id),
  CONSTRAINT category_assignments_category_fk FOREIGN KEY (category_id) REFERENCES categories (id) ON DELETE CASCADE,
  CONSTRAINT category_assignments_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_preferences (
  user_id      BIGINT UNSIGNED NOT NULL,
  prefs        JSON            NOT NULL,
  updated_at   DATETIME(6)     NOT NULL,
  PRIMARY KEY (user_id),
  CONSTRAINT user_preferences_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only; the actor is kept by id and by name so the record outlives
-- the account.
CREATE TABLE audit_log (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  at           DATETIME(6)     NOT NULL,
  actor_id     BIGINT UNSIGNED NULL,
  actor_name   VARCHAR(64)     NOT NULL DEFAULT '',
  action       VARCHAR(64)     NOT NULL,
  target_type  VARCHAR(32)     NOT NULL DEFAULT '',
  target_id    VARCHAR(64)     NOT NULL DEFAULT '',
  project_id   BIGINT UNSIGNED NULL,
  client_ip    VARCHAR(64)     NOT NULL DEFAULT '',
  detail       JSON            NULL,
  PRIMARY KEY (id),
  KEY audit_log_at (at),
  KEY audit_log_action (action, at),
  KEY audit_log_actor (actor_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_log;
DROP TABLE user_preferences;
DROP TABLE category_assignments;
DROP TABLE categories;
DROP TABLE project_members;
DROP TABLE projects;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
