-- Slides and their durable ingest jobs. The tiler owns these tables; the
-- annotation and export services read them (bounds, project, pyramid).

-- +goose Up
CREATE TABLE slides (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  project_id    BIGINT UNSIGNED NOT NULL,
  case_id       VARCHAR(128)    NOT NULL DEFAULT '',
  stain         VARCHAR(64)     NOT NULL DEFAULT '',
  name          VARCHAR(255)    NOT NULL,
  -- queued, processing, ready, failed
  status        VARCHAR(16)     NOT NULL DEFAULT 'queued',
  progress      TINYINT UNSIGNED NOT NULL DEFAULT 0,
  error         TEXT            NULL,
  width         BIGINT UNSIGNED NOT NULL DEFAULT 0,
  height        BIGINT UNSIGNED NOT NULL DEFAULT 0,
  levels        INT             NOT NULL DEFAULT 0,
  mpp_x         DOUBLE          NULL,
  mpp_y         DOUBLE          NULL,
  objective     DOUBLE          NULL,
  vendor        VARCHAR(64)     NOT NULL DEFAULT '',
  format        VARCHAR(64)     NOT NULL DEFAULT '',
  bytes         BIGINT UNSIGNED NOT NULL DEFAULT 0,
  sha256        CHAR(64)        NOT NULL DEFAULT '',
  -- where the original file is kept in the slides bucket
  source_key    VARCHAR(512)    NOT NULL DEFAULT '',
  -- where the pyramid is kept (prefix in the slides bucket)
  pyramid_key   VARCHAR(512)    NOT NULL DEFAULT '',
  created_by    BIGINT UNSIGNED NULL,
  created_at    DATETIME(6)     NOT NULL,
  updated_at    DATETIME(6)     NOT NULL,
  PRIMARY KEY (id),
  KEY slides_project (project_id, status),
  KEY slides_case (project_id, case_id),
  CONSTRAINT slides_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE slides;
