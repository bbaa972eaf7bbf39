-- Export snapshots in chunks. One LONGBLOB row cannot hold the snapshot of a
-- large project: a row travels in one packet, and max_allowed_packet is
-- 16 MiB by default (MariaDB) while a million marks make tens of MiB even
-- gzipped. The export service writes the snapshot as rows of at most 4 MiB,
-- in order, inside the transaction that records it, and reads them back in
-- seq order.

-- +goose Up
CREATE TABLE export_snapshot_chunks (
  export_id  BIGINT UNSIGNED NOT NULL,
  seq        INT UNSIGNED    NOT NULL,
  -- a slice of the gzip of the canonical snapshot JSON
  data       LONGBLOB        NOT NULL,
  PRIMARY KEY (export_id, seq),
  CONSTRAINT export_snapshot_chunks_export_fk FOREIGN KEY (export_id) REFERENCES exports (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Snapshots taken before: one chunk each (copied inside the server, so no
-- packet limit applies).
INSERT INTO export_snapshot_chunks (export_id, seq, data)
  SELECT id, 0, snapshot FROM exports WHERE snapshot IS NOT NULL;

ALTER TABLE exports DROP COLUMN snapshot;

-- +goose Down
ALTER TABLE exports ADD COLUMN snapshot LONGBLOB NULL AFTER run_after;

-- Back into one value where the old column can take it; a snapshot larger
-- than max_allowed_packet stays NULL (GROUP_CONCAT would cut it short), and
-- a job still running with it takes a new one on its next attempt.
SET SESSION group_concat_max_len = 4294967295;
UPDATE exports e SET snapshot = (
    SELECT GROUP_CONCAT(c.data ORDER BY c.seq SEPARATOR '') FROM export_snapshot_chunks c WHERE c.export_id = e.id)
  WHERE (SELECT SUM(LENGTH(c.data)) FROM export_snapshot_chunks c WHERE c.export_id = e.id) <= @@max_allowed_packet;

DROP TABLE export_snapshot_chunks;
