-- Export snapshots and manifests in chunks. One row cannot hold the
-- snapshot or the manifest of a large export: a row travels in one packet,
-- and max_allowed_packet is 16 MiB by default (MariaDB), while a million
-- marks make tens of MiB of snapshot even gzipped and 200,000 patch files
-- make a 30 MiB manifest. The export service compresses each, writes it as
-- rows of at most 4 MiB, in order, inside the transaction that records it,
-- and reads them back in seq order.
--
-- kind says what the rows hold and how it is compressed:
--   snapshot  gzip of the canonical snapshot JSON (as the old column held it)
--   manifest  manifest.json in the format of COMPRESS(): its length as four
--             little-endian bytes, then a zlib stream; so SQL can read it
--             (UNCOMPRESS of the joined rows), which the Down below needs

-- +goose Up
CREATE TABLE export_chunks (
  export_id  BIGINT UNSIGNED NOT NULL,
  kind       VARCHAR(16)     NOT NULL,
  seq        INT UNSIGNED    NOT NULL,
  -- a slice of the compressed document
  data       LONGBLOB        NOT NULL,
  PRIMARY KEY (export_id, kind, seq),
  CONSTRAINT export_chunks_export_fk FOREIGN KEY (export_id) REFERENCES exports (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Snapshots and manifests stored before: one chunk each (copied inside the
-- server, so no packet limit applies; each fitted in one packet when it was
-- written, and compressing only shrinks a manifest).
INSERT INTO export_chunks (export_id, kind, seq, data)
  SELECT id, 'snapshot', 0, snapshot FROM exports WHERE snapshot IS NOT NULL;
INSERT INTO export_chunks (export_id, kind, seq, data)
  SELECT id, 'manifest', 0, COMPRESS(manifest) FROM exports WHERE manifest IS NOT NULL AND manifest <> '';

ALTER TABLE exports DROP COLUMN snapshot, DROP COLUMN manifest;

-- +goose Down
ALTER TABLE exports ADD COLUMN snapshot LONGBLOB NULL AFTER run_after, ADD COLUMN manifest LONGTEXT NULL AFTER bytes;

-- Back into one value where the old column can take it. A snapshot or
-- manifest larger than max_allowed_packet stays NULL (GROUP_CONCAT and
-- UNCOMPRESS would cut it short or fail): a job still running takes a new
-- snapshot on its next attempt, and a finished export's manifest.json is
-- still in the bucket. The guards keep UNCOMPRESS and GROUP_CONCAT from
-- warning, which strict mode would turn into an error.
SET SESSION group_concat_max_len = 4294967295;
UPDATE exports e SET snapshot = (
    SELECT GROUP_CONCAT(c.data ORDER BY c.seq SEPARATOR '') FROM export_chunks c
    WHERE c.export_id = e.id AND c.kind = 'snapshot')
  WHERE (SELECT SUM(LENGTH(c.data)) FROM export_chunks c
    WHERE c.export_id = e.id AND c.kind = 'snapshot') <= @@max_allowed_packet;
UPDATE exports e SET manifest = (
    SELECT UNCOMPRESS(GROUP_CONCAT(c.data ORDER BY c.seq SEPARATOR '')) FROM export_chunks c
    WHERE c.export_id = e.id AND c.kind = 'manifest')
  WHERE (SELECT SUM(LENGTH(c.data)) FROM export_chunks c
      WHERE c.export_id = e.id AND c.kind = 'manifest') <= @@max_allowed_packet
    AND (SELECT UNCOMPRESSED_LENGTH(c.data) FROM export_chunks c
      WHERE c.export_id = e.id AND c.kind = 'manifest' AND c.seq = 0) <= @@max_allowed_packet;

DROP TABLE export_chunks;
