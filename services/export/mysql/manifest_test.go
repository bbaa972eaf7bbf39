package mysql

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/adler32"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// claimNew queues an export and claims it as owner.
func claimNew(t *testing.T, s *Store, w *exporttest.World, owner string) (*export.Export, *export.Job) {
	t.Helper()
	ctx := context.Background()
	p := export.Params{ProjectID: w.Project, Formats: []string{"patches"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	e, err := s.Create(ctx, p, w.Author)
	if err != nil {
		t.Fatal(err)
	}
	job, err := s.Claim(ctx, owner, time.Minute, 3)
	if err != nil || job == nil || job.ID != e.ID {
		t.Fatalf("claim: %+v, %v; want export %d", job, err, e.ID)
	}
	return e, job
}

// manifestRows counts an export's manifest rows and their largest size.
func manifestRows(t *testing.T, db *sql.DB, id int64) (rows, biggest int) {
	t.Helper()
	if err := db.QueryRow(`SELECT COUNT(*), COALESCE(MAX(LENGTH(data)), 0) FROM export_chunks WHERE export_id = ? AND kind = ?`,
		id, kindManifest).Scan(&rows, &biggest); err != nil {
		t.Fatal(err)
	}
	return rows, biggest
}

// TestManifestLargerThanAPacketRoundTrips finishes an export whose
// manifest (hundreds of thousands of patch files) is bigger than a packet
// on a server with the default max_allowed_packet, which one row would
// have to fit in, and compresses to more than one row; Get returns it
// byte for byte, List leaves it out.
func TestManifestLargerThanAPacketRoundTrips(t *testing.T) {
	db, _ := testenv.MustDB(t)
	w := exporttest.New(t, db, nil, "", "")
	s := New(db, time.Now)
	ctx := context.Background()
	e, job := claimNew(t, s, w, "worker-a")
	var packet int
	if err := db.QueryRow(`SELECT @@max_allowed_packet`).Scan(&packet); err != nil {
		t.Fatal(err)
	}
	target := min(packet, 64<<20) + chunkSize
	m := &export.Manifest{ExportID: e.ID, ProjectID: w.Project, Software: "test", Params: e.Params,
		FinishedAt: time.Now().UTC().Truncate(time.Microsecond)}
	rng := rand.New(rand.NewChaCha8([32]byte{9}))
	var total int64
	for i := range target / 150 { // an entry takes some 180 bytes
		sum := make([]byte, 32)
		for j := range sum {
			sum[j] = byte(rng.Uint32())
		}
		f := export.File{Path: fmt.Sprintf("patches/256/tumor/case-%d_HE_slide%d_%d_%d.png", i%97, i%13, rng.IntN(100000), rng.IntN(100000)),
			Size: rng.Int64N(200000), SHA256: hex.EncodeToString(sum)}
		m.Files = append(m.Files, f)
		total += f.Size
	}
	body := m.Encode()
	if len(body) <= target {
		t.Fatalf("the manifest has %d bytes, not more than %d: the test would prove nothing", len(body), target)
	}

	// A worker that lost the job writes nothing.
	stale := *job
	stale.Owner = "worker-b"
	if err := s.Finish(ctx, &stale, m, body); !errors.Is(err, jobqueue.ErrLeaseLost) {
		t.Fatalf("finish by a worker without the lease: %v, want ErrLeaseLost", err)
	}
	if rows, _ := manifestRows(t, db, e.ID); rows != 0 {
		t.Fatalf("%d manifest rows after a refused finish", rows)
	}

	if err := s.Finish(ctx, job, m, body); err != nil {
		t.Fatal(err)
	}
	rows, biggest := manifestRows(t, db, e.ID)
	if rows < 2 || biggest > chunkSize {
		t.Fatalf("%d manifest rows of at most %d bytes; want several of at most %d", rows, biggest, chunkSize)
	}
	t.Logf("a manifest of %d bytes stored in %d rows", len(body), rows)
	var length int
	if err := db.QueryRow(`SELECT UNCOMPRESSED_LENGTH(data) FROM export_chunks WHERE export_id = ? AND kind = ? AND seq = 0`,
		e.ID, kindManifest).Scan(&length); err != nil || length != len(body) {
		t.Fatalf("UNCOMPRESSED_LENGTH says %d (%v), want %d: not the format of COMPRESS()", length, err, len(body))
	}
	got, err := s.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Manifest != nil {
		t.Fatalf("Get read the %d-byte manifest; polls must not", len(got.Manifest))
	}
	if err := s.WithManifest(ctx, got); err != nil {
		t.Fatal(err)
	}
	if got.Status != export.StatusDone || got.Progress != 100 || got.Files != int64(len(m.Files)) || got.Bytes != total {
		t.Fatalf("export after finishing: status %s, progress %d, %d files, %d bytes; want done, 100, %d, %d",
			got.Status, got.Progress, got.Files, got.Bytes, len(m.Files), total)
	}
	if !bytes.Equal(got.Manifest, body) {
		t.Fatalf("manifest read back has %d bytes, differing from the %d stored", len(got.Manifest), len(body))
	}
	list, err := s.List(ctx, export.ListFilter{ProjectID: w.Project, Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != e.ID || list[0].Manifest != nil || list[0].Files != int64(len(m.Files)) {
		t.Fatalf("list: %d exports (%v); want export %d with its counts and no manifest", len(list), err, e.ID)
	}
}

// TestManifestFormatIsSQLs checks both ways that SQL and the store agree
// on how a manifest is stored: one stored by COMPRESS(), as migration
// 00007 moves the manifests written before it, reads back through Get
// (also when COMPRESS() added its '.' after the stream), and one written
// by Finish reads back with UNCOMPRESS(), as that migration's Down does.
func TestManifestFormatIsSQLs(t *testing.T) {
	db, _ := testenv.MustDB(t)
	w := exporttest.New(t, db, nil, "", "")
	s := New(db, time.Now)
	ctx := context.Background()

	// COMPRESS() adds a '.' when its stream ends with a space, that is
	// when the low byte of the Adler-32 of the input (the stream's last
	// byte) is 0x20.
	var old []byte
	for i := 0; old == nil; i++ {
		if b := fmt.Appendf(nil, `{"export_id":%d,"files":[]}`, i); adler32.Checksum(b)&0xff == ' ' {
			old = b
		}
	}
	for _, manifest := range [][]byte{old, []byte(`{"export_id":1,"files":[{"path":"csv/marks.csv"}]}`)} {
		e, job := claimNew(t, s, w, "worker-a")
		if err := s.Release(ctx, job); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE exports SET status = 'done' WHERE id = ?`, e.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO export_chunks (export_id, kind, seq, data) VALUES (?, ?, 0, COMPRESS(?))`,
			e.ID, kindManifest, string(manifest)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, e.ID)
		if err == nil {
			err = s.WithManifest(ctx, got)
		}
		if err != nil || !bytes.Equal(got.Manifest, manifest) {
			t.Fatalf("manifest stored by COMPRESS() reads back as %q (%v), want %q", got.Manifest, err, manifest)
		}
	}
	var dotted bool
	if err := db.QueryRow(`SELECT RIGHT(data, 1) = '.' FROM export_chunks WHERE kind = ? ORDER BY export_id LIMIT 1`,
		kindManifest).Scan(&dotted); err != nil || !dotted {
		t.Fatalf("COMPRESS() added no '.' (%v): the test would not cover it", err)
	}

	e, job := claimNew(t, s, w, "worker-a")
	m := &export.Manifest{ExportID: e.ID, ProjectID: w.Project, Files: []export.File{{Path: "csv/marks.csv", Size: 10, SHA256: "ab"}}}
	body := m.Encode()
	if err := s.Finish(ctx, job, m, body); err != nil {
		t.Fatal(err)
	}
	var back []byte
	if err := db.QueryRow(`SELECT UNCOMPRESS(GROUP_CONCAT(data ORDER BY seq SEPARATOR '')) FROM export_chunks
		WHERE export_id = ? AND kind = ?`, e.ID, kindManifest).Scan(&back); err != nil || !bytes.Equal(back, body) {
		t.Fatalf("UNCOMPRESS of a manifest stored by Finish: %q (%v), want %q", back, err, body)
	}
}
