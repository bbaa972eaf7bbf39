-- Export jobs. The export service owns this table. The row is the job's only
-- truth: Redis merely wakes workers. A worker owns a running job while
-- lease_until is in the future and keeps extending it; a job whose lease ran
-- out is claimed again and rebuilt from the snapshot stored here, so a
-- restart writes the same files.

-- +goose Up
CREATE TABLE exports (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  project_id       BIGINT UNSIGNED NOT NULL,
  created_by       BIGINT UNSIGNED NOT NULL,
  -- queued, running, done, failed, cancelled
  status           VARCHAR(16)     NOT NULL DEFAULT 'queued',
  -- the normalised request, canonical JSON
  params           MEDIUMTEXT      NOT NULL,
  progress         TINYINT UNSIGNED NOT NULL DEFAULT 0,
  attempts         INT             NOT NULL DEFAULT 0,
  lease_owner      VARCHAR(64)     NOT NULL DEFAULT '',
  lease_until      DATETIME(6)     NULL,
  run_after        DATETIME(6)     NOT NULL,
  -- the marks, slides and categories used, gzip of canonical JSON; taken
  -- once, in one consistent read, by the first attempt
  snapshot         LONGBLOB        NULL,
  snapshot_sha256  CHAR(64)        NOT NULL DEFAULT '',
  marks            BIGINT UNSIGNED NOT NULL DEFAULT 0,
  files            BIGINT UNSIGNED NOT NULL DEFAULT 0,
  bytes            BIGINT UNSIGNED NOT NULL DEFAULT 0,
  -- manifest.json as written, when done
  manifest         LONGTEXT        NULL,
  error            TEXT            NULL,
  created_at       DATETIME(6)     NOT NULL,
  updated_at       DATETIME(6)     NOT NULL,
  finished_at      DATETIME(6)     NULL,
  PRIMARY KEY (id),
  KEY exports_project (project_id, id),
  KEY exports_due (status, run_after),
  KEY exports_lease (status, lease_until),
  CONSTRAINT exports_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE exports;
