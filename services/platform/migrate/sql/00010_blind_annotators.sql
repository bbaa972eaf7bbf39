-- Blinding: a project may let annotators see only their own marks (as in a
-- study of inter-reader agreement, where seeing another reader's marks
-- would bias the next). Managers and reviewers still see everyone's. The
-- annotation service enforces it on every read; the viewer only follows.

-- +goose Up
ALTER TABLE projects
  ADD COLUMN blind_annotators BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE projects
  DROP COLUMN blind_annotators;
