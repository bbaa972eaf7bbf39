package http

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// A copy past its bound is abandoned, never the upload: the bytes still
// reach the object store whole, and the slide waits for its pyramid.
func TestSourceCopyAbandonedPastItsBound(t *testing.T) {
	body := bytes.Repeat([]byte("slide"), 1000) // 5,000 bytes, read in small pieces
	for _, tc := range []struct {
		name   string
		room   int64
		failed bool
	}{
		{"no bound", -1, false},
		{"fits exactly", 5000, false},
		{"one byte over", 4999, true},
		{"far over", 100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "copy")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			cp := &sourceCopy{path: path, f: f, room: tc.room}
			got, err := io.ReadAll(cp.tee(io.LimitReader(bytes.NewReader(body), int64(len(body)))))
			cp.close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("the upload read %d bytes (err %v), want all %d", len(got), err, len(body))
			}
			if cp.failed != tc.failed {
				t.Fatalf("copy failed = %v, want %v", cp.failed, tc.failed)
			}
			kept, _ := os.ReadFile(path)
			if !tc.failed && !bytes.Equal(kept, body) {
				t.Fatalf("the kept copy has %d bytes, want %d", len(kept), len(body))
			}
			if tc.room >= 0 && int64(len(kept)) > tc.room {
				t.Fatalf("the copy took %d bytes, more than its bound %d", len(kept), tc.room)
			}
		})
	}
}
