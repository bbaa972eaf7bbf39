-- Durable ingest jobs, resumable uploads, overlays, and the pyramid columns
-- of slides. The tiler owns these tables.

-- +goose Up
-- The pyramid's geometry, so /tiles/{id}.dzi needs nothing but the row.
ALTER TABLE slides
  ADD COLUMN tile_size    INT         NOT NULL DEFAULT 254,
  ADD COLUMN tile_overlap INT         NOT NULL DEFAULT 1,
  ADD COLUMN tile_format  VARCHAR(8)  NOT NULL DEFAULT 'jpeg',
  ADD COLUMN ready_at     DATETIME(6) NULL,
  ADD KEY slides_project_stain (project_id, stain);

-- One row per slide or overlay to pyramid. The row is the job's only truth:
-- Redis merely wakes workers. A worker owns a job while lease_until is in the
-- future and keeps extending it; a job whose lease ran out is claimed again.
CREATE TABLE ingest_jobs (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  -- slide or overlay
  kind         VARCHAR(16)     NOT NULL,
  target_id    BIGINT UNSIGNED NOT NULL,
  -- queued, processing, done, failed
  status       VARCHAR(16)     NOT NULL DEFAULT 'queued',
  attempts     INT             NOT NULL DEFAULT 0,
  lease_owner  VARCHAR(64)     NOT NULL DEFAULT '',
  lease_until  DATETIME(6)     NULL,
  run_after    DATETIME(6)     NOT NULL,
  last_error   TEXT            NULL,
  created_at   DATETIME(6)     NOT NULL,
  updated_at   DATETIME(6)     NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY ingest_jobs_target (kind, target_id),
  KEY ingest_jobs_due (status, run_after),
  KEY ingest_jobs_lease (status, lease_until)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Resumable uploads: an S3 multipart upload whose parts S3 itself lists, so
-- a dropped connection loses at most the part in flight.
CREATE TABLE slide_uploads (
  id            CHAR(32)        NOT NULL,
  project_id    BIGINT UNSIGNED NOT NULL,
  case_id       VARCHAR(128)    NOT NULL DEFAULT '',
  stain         VARCHAR(64)     NOT NULL DEFAULT '',
  name          VARCHAR(255)    NOT NULL,
  size          BIGINT UNSIGNED NOT NULL,
  part_size     BIGINT UNSIGNED NOT NULL,
  s3_key        VARCHAR(512)    NOT NULL,
  s3_upload_id  VARCHAR(1024)   NOT NULL,
  -- open, completed, aborted
  status        VARCHAR(16)     NOT NULL DEFAULT 'open',
  slide_id      BIGINT UNSIGNED NULL,
  created_by    BIGINT UNSIGNED NULL,
  created_at    DATETIME(6)     NOT NULL,
  updated_at    DATETIME(6)     NOT NULL,
  PRIMARY KEY (id),
  KEY slide_uploads_project (project_id),
  CONSTRAINT slide_uploads_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Model outputs shown over a slide, scaled to it and pyramided like it.
CREATE TABLE slide_overlays (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  slide_id      BIGINT UNSIGNED NOT NULL,
  name          VARCHAR(128)    NOT NULL,
  opacity       DOUBLE          NOT NULL DEFAULT 0.5,
  -- queued, processing, ready, failed
  status        VARCHAR(16)     NOT NULL DEFAULT 'queued',
  progress      TINYINT UNSIGNED NOT NULL DEFAULT 0,
  error         TEXT            NULL,
  width         BIGINT UNSIGNED NOT NULL DEFAULT 0,
  height        BIGINT UNSIGNED NOT NULL DEFAULT 0,
  levels        INT             NOT NULL DEFAULT 0,
  bytes         BIGINT UNSIGNED NOT NULL DEFAULT 0,
  source_key    VARCHAR(512)    NOT NULL DEFAULT '',
  pyramid_key   VARCHAR(512)    NOT NULL DEFAULT '',
  created_by    BIGINT UNSIGNED NULL,
  created_at    DATETIME(6)     NOT NULL,
  updated_at    DATETIME(6)     NOT NULL,
  PRIMARY KEY (id),
  KEY slide_overlays_slide (slide_id),
  CONSTRAINT slide_overlays_slide_fk FOREIGN KEY (slide_id) REFERENCES slides (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE slide_overlays;
DROP TABLE slide_uploads;
DROP TABLE ingest_jobs;
ALTER TABLE slides
  DROP KEY slides_project_stain,
  DROP COLUMN ready_at,
  DROP COLUMN tile_format,
  DROP COLUMN tile_overlap,
  DROP COLUMN tile_size;
