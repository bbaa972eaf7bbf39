package mysql

import (
	"bytes"
	"compress/zlib"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
)

// What export_chunks rows hold (its kind column).
const (
	kindSnapshot = "snapshot" // gzip of the canonical snapshot JSON
	kindManifest = "manifest" // manifest.json, as compress makes it
)

// chunkSize is the most of a document one row holds: far below
// max_allowed_packet (16 MiB by default), which one row must fit in, so a
// document of any size can be stored.
const chunkSize = 4 << 20

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// writeChunks stores data as rows of at most chunkSize bytes. Callers run
// it in the transaction that records the document, so readers see all of
// it or none.
func writeChunks(ctx context.Context, tx execer, id int64, kind string, data []byte) error {
	for seq, off := 0, 0; off < len(data); seq, off = seq+1, off+chunkSize {
		if _, err := tx.ExecContext(ctx, `INSERT INTO export_chunks (export_id, kind, seq, data) VALUES (?, ?, ?, ?)`,
			id, kind, seq, data[off:min(off+chunkSize, len(data))]); err != nil {
			return fmt.Errorf("save %s of export %d (part %d): %w", kind, id, seq, err)
		}
	}
	return nil
}

// readChunks joins an export's rows of kind in order; nil when there are
// none.
func readChunks(ctx context.Context, q querier, id int64, kind string) ([]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT data FROM export_chunks WHERE export_id = ? AND kind = ? ORDER BY seq`, id, kind)
	if err != nil {
		return nil, fmt.Errorf("read %s of export %d: %w", kind, id, err)
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		var part []byte
		if err := rows.Scan(&part); err != nil {
			return nil, fmt.Errorf("read %s of export %d: %w", kind, id, err)
		}
		data = append(data, part...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s of export %d: %w", kind, id, err)
	}
	return data, nil
}

// compress makes what MySQL's COMPRESS() makes: the length (its low 30
// bits) as four little-endian bytes, then a zlib stream. The manifest is stored so, not
// as gzip like the snapshot, because SQL must read it: migration 00007
// moves the manifests stored before it with COMPRESS(), and its Down puts
// any manifest back with UNCOMPRESS().
func compress(b []byte) []byte {
	var buf bytes.Buffer
	buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(b))&lengthMask))
	w := zlib.NewWriter(&buf)
	_, _ = w.Write(b) // a bytes.Buffer cannot fail
	_ = w.Close()
	return buf.Bytes()
}

// lengthMask keeps the bits of the length COMPRESS() stores.
const lengthMask = 1<<30 - 1

// uncompress reads what compress or COMPRESS() made. COMPRESS() may add a
// '.' after the stream (when the stream ends with a space); reading stops
// at the stream's end, so that byte is ignored.
func uncompress(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil // COMPRESS('') is ''
	}
	if len(b) < 4 {
		return nil, fmt.Errorf("compressed data of %d bytes is cut short", len(b))
	}
	r, err := zlib.NewReader(bytes.NewReader(b[4:]))
	if err != nil {
		return nil, fmt.Errorf("open compressed data: %w", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("uncompress: %w", err)
	}
	if want := binary.LittleEndian.Uint32(b) & lengthMask; uint32(len(out))&lengthMask != want {
		return nil, fmt.Errorf("uncompressed %d bytes, the header says %d", len(out), want)
	}
	return out, nil
}
