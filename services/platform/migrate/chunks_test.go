package migrate_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"database/sql"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/migrate"
	"github.com/patholabel/patholabel/services/platform/mysql"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// mustEmptyDB creates a database with no migrations applied and drops it
// when the test ends.
func mustEmptyDB(t *testing.T) *sql.DB {
	t.Helper()
	cfg := testenv.MySQLConfig()
	ctx := context.Background()
	if err := mysql.CreateDatabase(ctx, cfg); err != nil {
		t.Fatalf("%v (is MariaDB running? `make test` starts it)", err)
	}
	db, err := mysql.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if err := mysql.DropDatabase(context.Background(), cfg); err != nil {
			t.Error(err)
		}
	})
	return db
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	res, err := db.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// compressed is what MySQL's COMPRESS() makes of b, as the export service
// writes manifests: the length as four little-endian bytes, then zlib.
func compressed(b []byte) []byte {
	var buf bytes.Buffer
	buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(b))))
	w := zlib.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// chunks stores data as n rows of an export, inserted last row first so
// only ORDER BY seq can join them right.
func chunks(t *testing.T, db *sql.DB, id int64, kind string, data []byte, n int) {
	t.Helper()
	size := (len(data) + n - 1) / n
	for seq := n - 1; seq >= 0; seq-- {
		mustExec(t, db, `INSERT INTO export_chunks (export_id, kind, seq, data) VALUES (?, ?, ?, ?)`,
			id, kind, seq, data[seq*size:min((seq+1)*size, len(data))])
	}
}

// exportRow is what the old columns hold; nil is NULL.
type exportRow struct{ snapshot, manifest []byte }

func readOld(t *testing.T, db *sql.DB, id int64) exportRow {
	t.Helper()
	var r exportRow
	if err := db.QueryRow(`SELECT snapshot, manifest FROM exports WHERE id = ?`, id).Scan(&r.snapshot, &r.manifest); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestExportChunksMigration runs 00007 over exports as 00006 left them:
// Up moves each snapshot and manifest into export_chunks (the manifest
// compressed) and drops the columns; Down puts back what the export
// service stored in several rows since, where the old column can hold
// it; Up runs again after that.
func TestExportChunksMigration(t *testing.T) {
	db := mustEmptyDB(t)
	ctx := context.Background()
	log := testenv.Logger()
	if err := migrate.UpTo(ctx, db, 6); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	project := mustExec(t, db, `INSERT INTO projects (name, description, created_at, updated_at) VALUES ('p', '', ?, ?)`, now, now)
	insert := func(status string, r exportRow) int64 { // as 00006 left the table
		return mustExec(t, db, `INSERT INTO exports (project_id, created_by, status, params, run_after, snapshot, manifest, created_at, updated_at)
			VALUES (?, 1, ?, '{}', ?, ?, ?, ?, ?)`, project, status, now, r.snapshot, r.manifest, now, now)
	}
	insertNew := func() int64 { // as 00007 leaves it
		return mustExec(t, db, `INSERT INTO exports (project_id, created_by, status, params, run_after, created_at, updated_at)
			VALUES (?, 1, 'done', '{}', ?, ?, ?)`, project, now, now, now)
	}
	snapshot := make([]byte, 3<<20)
	_, _ = rand.NewChaCha8([32]byte{3}).Read(snapshot) // random, like gzip output
	manifest := []byte(`{"export_id":1,"counts":{"marks_by_category":{"Tumör 🔬":3}},"files":[` +
		strings.Repeat(`{"path":"patches/64/Tumör/slide1_1_2.png","size":10},`, 20000) + `{"path":"README.md"}]}`)
	done := insert("done", exportRow{snapshot, manifest})
	queued := insert("queued", exportRow{})

	if err := migrate.UpTo(ctx, db, 7); err != nil { // later migrations would make Down undo them instead
		t.Fatal(err)
	}
	if v, err := migrate.Version(ctx, db); err != nil || v != 7 {
		t.Fatalf("version %d (%v), want 7", v, err)
	}
	var left int
	if err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()
		AND table_name = 'exports' AND column_name IN ('snapshot', 'manifest')`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d of the old columns left (%v)", left, err)
	}
	var moved []byte
	if err := db.QueryRow(`SELECT data FROM export_chunks WHERE export_id = ? AND kind = 'snapshot' AND seq = 0`, done).Scan(&moved); err != nil || !bytes.Equal(moved, snapshot) {
		t.Fatalf("snapshot moved as %d bytes (%v), want the %d stored", len(moved), err, len(snapshot))
	}
	var packed int
	if err := db.QueryRow(`SELECT UNCOMPRESS(data), LENGTH(data) FROM export_chunks WHERE export_id = ? AND kind = 'manifest' AND seq = 0`, done).
		Scan(&moved, &packed); err != nil || !bytes.Equal(moved, manifest) || packed >= len(manifest) {
		t.Fatalf("manifest moved as %d compressed bytes reading back as %d (%v), want a compressed copy of the %d stored",
			packed, len(moved), err, len(manifest))
	}
	var rows int
	if err := db.QueryRow(`SELECT COUNT(*) FROM export_chunks WHERE export_id = ?`, queued).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("%d chunks for an export that had neither snapshot nor manifest (%v)", rows, err)
	}

	// What the export service stores after the upgrade: documents in
	// several rows, and one manifest too large for the old column.
	var packet int
	if err := db.QueryRow(`SELECT @@max_allowed_packet`).Scan(&packet); err != nil {
		t.Fatal(err)
	}
	split := insertNew()
	chunks(t, db, split, "snapshot", snapshot, 3)
	chunks(t, db, split, "manifest", compressed(manifest), 3)
	huge := insertNew()
	big := bytes.Repeat([]byte(`{"path":"patches/64/tumor/slide1_1_2.png"},`), packet/40) // repetitive: compresses to little
	chunks(t, db, huge, "snapshot", snapshot[:100], 1)
	chunks(t, db, huge, "manifest", compressed(big), 2)
	if len(big) <= packet {
		t.Fatalf("a manifest of %d bytes fits a packet of %d: the test would prove nothing", len(big), packet)
	}

	if err := migrate.Down(ctx, db); err != nil {
		t.Fatal(err)
	}
	if v, err := migrate.Version(ctx, db); err != nil || v != 6 {
		t.Fatalf("version %d (%v) after Down, want 6", v, err)
	}
	for _, c := range []struct {
		name string
		id   int64
		want exportRow
	}{
		{"moved by Up", done, exportRow{snapshot, manifest}},
		{"without either", queued, exportRow{}},
		{"stored in rows", split, exportRow{snapshot, manifest}},
		{"manifest too large for a packet", huge, exportRow{snapshot[:100], nil}},
	} {
		got := readOld(t, db, c.id)
		if !bytes.Equal(got.snapshot, c.want.snapshot) || (got.snapshot == nil) != (c.want.snapshot == nil) ||
			!bytes.Equal(got.manifest, c.want.manifest) || (got.manifest == nil) != (c.want.manifest == nil) {
			t.Errorf("%s: after Down a snapshot of %d bytes (NULL %v) and a manifest of %d (NULL %v); want %d (%v) and %d (%v)",
				c.name, len(got.snapshot), got.snapshot == nil, len(got.manifest), got.manifest == nil,
				len(c.want.snapshot), c.want.snapshot == nil, len(c.want.manifest), c.want.manifest == nil)
		}
	}
	var tables int
	if err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'export_chunks'`).
		Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("export_chunks still there after Down (%v)", err)
	}

	if err := migrate.Up(ctx, db, log); err != nil {
		t.Fatalf("Up after Down: %v", err)
	}
	if err := db.QueryRow(`SELECT UNCOMPRESS(data) FROM export_chunks WHERE export_id = ? AND kind = 'manifest'`, split).Scan(&moved); err != nil || !bytes.Equal(moved, manifest) {
		t.Fatalf("manifest moved again as %d bytes (%v), want %d", len(moved), err, len(manifest))
	}
}
