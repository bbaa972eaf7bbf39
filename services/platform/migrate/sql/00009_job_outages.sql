-- Outages a job waited out. An ingest or export that fails because the
-- object store or the database is not answering is queued again without
-- using up an attempt (its input is intact; only time helps), after a wait
-- that doubles with each outage in a row (jobqueue.OutageWait); this
-- counts them, and goes back to 0 when a try gets past them.

-- +goose Up
ALTER TABLE ingest_jobs ADD COLUMN outages INT NOT NULL DEFAULT 0;
ALTER TABLE exports ADD COLUMN outages INT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE exports DROP COLUMN outages;
ALTER TABLE ingest_jobs DROP COLUMN outages;
