-- Model suggestions: a model's predicted marks, kept apart from marks until
-- a person accepts one (then a real mark is made and linked here) or
-- rejects it. Nothing reads suggestions as marks: exports, counts and
-- history see only what was accepted, as the mark it became.
--
-- margin is the difference between the two best class scores (a missing
-- "none of these" class takes what the scores leave of 1), stored so that
-- "the most uncertain undecided suggestion" is one index range read.

-- +goose Up
CREATE TABLE suggestions (
  id             BIGINT UNSIGNED  NOT NULL,
  slide_id       BIGINT UNSIGNED  NOT NULL,
  project_id     BIGINT UNSIGNED  NOT NULL,
  model_name     VARCHAR(128)     NOT NULL,
  model_version  VARCHAR(64)      NOT NULL,
  -- the suggested category; scores as JSON {"<category id>": probability}
  category_id    BIGINT UNSIGNED  NOT NULL,
  scores         TEXT             NOT NULL,
  score          DOUBLE           NOT NULL,
  margin         DOUBLE           NOT NULL,
  kind           TINYINT UNSIGNED NOT NULL,
  minx           INT              NOT NULL,
  miny           INT              NOT NULL,
  maxx           INT              NOT NULL,
  maxy           INT              NOT NULL,
  rings          MEDIUMBLOB       NULL,
  posted_by      BIGINT UNSIGNED  NOT NULL,
  created_at     DATETIME(6)      NOT NULL,
  -- 0 undecided, 1 accepted, 2 rejected; the decision record: who, when,
  -- and (accepted) the mark it became
  state          TINYINT UNSIGNED NOT NULL DEFAULT 0,
  decided_by     BIGINT UNSIGNED  NULL,
  decided_at     DATETIME(6)      NULL,
  mark_id        BIGINT UNSIGNED  NULL,
  edited         BOOLEAN          NOT NULL DEFAULT FALSE,
  PRIMARY KEY (id),
  KEY suggestions_next (slide_id, state, margin, id),
  KEY suggestions_model (slide_id, model_name, model_version),
  KEY suggestions_project (project_id, state),
  KEY suggestions_mark (mark_id),
  CONSTRAINT suggestions_slide_fk FOREIGN KEY (slide_id) REFERENCES slides (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Ids in blocks, as for marks (a multi-row INSERT's AUTO_INCREMENT values
-- need not be consecutive), so a post answers its ids in order.
INSERT INTO annotation_ids (name, next_id) VALUES ('suggestions', 1);

-- +goose Down
DELETE FROM annotation_ids WHERE name = 'suggestions';
DROP TABLE suggestions;
