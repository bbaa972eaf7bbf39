-- Marks on slides, their history, per-annotator status, level-of-detail
-- counts and idempotent create requests. The annotation service owns these.
--
-- No spatial types: MySQL 8 and MariaDB differ there. Marks are clustered by
-- (slide, grid cell, id) so a viewport reads a few contiguous key ranges;
-- coordinates are integer millipixels (exact to 1/1000 pixel).

-- +goose Up
-- One row per live mark. A point has no rings: its box is centre ± radius.
-- category_id and author_id carry no foreign key: categories are archived,
-- never deleted, users are disabled, never deleted, and at a million rows a
-- slide the extra indexes would cost more than the mark itself.
CREATE TABLE annotations (
  slide_id     BIGINT UNSIGNED  NOT NULL,
  cell         BIGINT           NOT NULL,
  id           BIGINT UNSIGNED  NOT NULL,
  category_id  BIGINT UNSIGNED  NOT NULL,
  author_id    BIGINT UNSIGNED  NOT NULL,
  kind         TINYINT UNSIGNED NOT NULL,
  -- 0 pending, 1 accepted, 2 rejected
  review       TINYINT UNSIGNED NOT NULL DEFAULT 0,
  version      INT UNSIGNED     NOT NULL,
  minx         INT              NOT NULL,
  miny         INT              NOT NULL,
  maxx         INT              NOT NULL,
  maxy         INT              NOT NULL,
  created_at   DATETIME(6)      NOT NULL,
  updated_at   DATETIME(6)      NOT NULL,
  rings        MEDIUMBLOB       NULL,
  note         TEXT             NULL,
  PRIMARY KEY (slide_id, cell, id),
  UNIQUE KEY annotations_id (id),
  CONSTRAINT annotations_slide_fk FOREIGN KEY (slide_id) REFERENCES slides (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Mark ids are handed out in blocks from this row, outside the writing
-- transaction: a multi-row INSERT's AUTO_INCREMENT values are not
-- guaranteed consecutive under interleaved lock mode (MySQL 8's default).
CREATE TABLE annotation_ids (
  name     VARCHAR(32)     NOT NULL,
  next_id  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO annotation_ids (name, next_id) VALUES ('annotations', 1);

-- Every change to a mark, with its content before and after (the service's
-- compact binary encoding); restores read the newest row at or before a time.
-- action: 1 created, 2 updated, 3 deleted, 4 restored, 5 reviewed.
CREATE TABLE annotation_history (
  id             BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT,
  slide_id       BIGINT UNSIGNED  NOT NULL,
  annotation_id  BIGINT UNSIGNED  NOT NULL,
  owner_id       BIGINT UNSIGNED  NOT NULL,
  actor_id       BIGINT UNSIGNED  NOT NULL,
  at             DATETIME(6)      NOT NULL,
  action         TINYINT UNSIGNED NOT NULL,
  version        INT UNSIGNED     NOT NULL,
  before_state   MEDIUMBLOB       NULL,
  after_state    MEDIUMBLOB       NULL,
  comment        VARCHAR(1000)    NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY annotation_history_mark (annotation_id, id),
  KEY annotation_history_slide (slide_id, at),
  CONSTRAINT annotation_history_slide_fk FOREIGN KEY (slide_id) REFERENCES slides (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An annotator's progress on a slide: not_started, in_progress, done.
CREATE TABLE annotation_status (
  slide_id    BIGINT UNSIGNED NOT NULL,
  user_id     BIGINT UNSIGNED NOT NULL,
  status      VARCHAR(16)     NOT NULL,
  updated_at  DATETIME(6)     NOT NULL,
  PRIMARY KEY (slide_id, user_id),
  CONSTRAINT annotation_status_slide_fk FOREIGN KEY (slide_id) REFERENCES slides (id) ON DELETE CASCADE,
  CONSTRAINT annotation_status_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Marks per cell (by the centre of their box), category and author, kept
-- in the writing transaction at two sizes (level 0: 1024 pixels, level 1:
-- 4096): a zoomed-out slide of a million dots sums a few thousand of these
-- rows instead of counting marks.
CREATE TABLE annotation_counts (
  slide_id     BIGINT UNSIGNED NOT NULL,
  level        TINYINT UNSIGNED NOT NULL,
  cy           INT UNSIGNED    NOT NULL,
  cx           INT UNSIGNED    NOT NULL,
  category_id  BIGINT UNSIGNED NOT NULL,
  author_id    BIGINT UNSIGNED NOT NULL,
  n            INT             NOT NULL,
  PRIMARY KEY (slide_id, level, cy, cx, category_id, author_id),
  CONSTRAINT annotation_counts_slide_fk FOREIGN KEY (slide_id) REFERENCES slides (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Create requests sent with an Idempotency-Key: a retry gets the first
-- answer back instead of a second copy of every mark. Kept a day.
CREATE TABLE annotation_requests (
  user_id       BIGINT UNSIGNED NOT NULL,
  idem_key      VARCHAR(128)    NOT NULL,
  request_hash  CHAR(64)        NOT NULL,
  response      MEDIUMBLOB      NULL,
  created_at    DATETIME(6)     NOT NULL,
  PRIMARY KEY (user_id, idem_key),
  KEY annotation_requests_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE annotation_requests;
DROP TABLE annotation_counts;
DROP TABLE annotation_status;
DROP TABLE annotation_history;
DROP TABLE annotation_ids;
DROP TABLE annotations;
