-- Pinned exports: a dataset a model was trained on must stay, so retention
-- (PATHOLABEL_EXPORT_RETENTION) never removes a pinned export. An export's
-- name lives in its params (the request), the pin is state that changes.
-- Retention marks an export 'expiring' before it removes the files and
-- 'expired' after, keeping the row as a record; the index finds the
-- finished exports past their time.

-- +goose Up
ALTER TABLE exports
  ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT FALSE,
  ADD KEY exports_retention (status, pinned, finished_at);

-- +goose Down
ALTER TABLE exports
  DROP KEY exports_retention,
  DROP COLUMN pinned;
