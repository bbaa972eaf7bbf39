package tiler_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"testing"

	"github.com/patholabel/patholabel/services/tiler"
)

// makeZip writes a dzsave-shaped zip with the given tiles stored.
func makeZip(t *testing.T, names ...string) *zip.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "tile %s", n)
	}
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func TestIndexRoundTrip(t *testing.T) {
	zr := makeZip(t, "s/s.dzi", "s/s_files/0/0_0.jpeg", "s/s_files/1/0_0.jpeg", "s/s_files/1/1_0.jpeg", "s/s_files/vips-properties.xml")
	ix, err := tiler.BuildIndex(zr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ix.MarshalBinary()
	var got tiler.Index
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		level, col, row int
		ok              bool
	}{
		{0, 0, 0, true}, {1, 1, 0, true}, {1, 0, 0, true},
		{1, 2, 0, false}, {1, 0, 1, false}, {2, 0, 0, false}, {-1, 0, 0, false}, {0, -1, 0, false},
	}
	for _, tt := range tests {
		ref, ok := got.Lookup(tt.level, tt.col, tt.row)
		if ok != tt.ok {
			t.Errorf("Lookup(%d,%d,%d) ok = %v, want %v", tt.level, tt.col, tt.row, ok, tt.ok)
		}
		if ok && ref.Size != uint32(len(fmt.Sprintf("tile s/s_files/%d/%d_%d.jpeg", tt.level, tt.col, tt.row))) {
			t.Errorf("Lookup(%d,%d,%d) size = %d", tt.level, tt.col, tt.row, ref.Size)
		}
	}
	if got.Tiles() != 3 {
		t.Errorf("Tiles() = %d, want 3", got.Tiles())
	}
}

func TestIndexRejectsDamage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("PLIX0001"), []byte("PLIX0001\x01\x00\x00\x00\xff\xff\x00\x00\xff\xff\x00\x00"), []byte("garbage!")} {
		var ix tiler.Index
		if err := ix.UnmarshalBinary(b); err == nil {
			t.Errorf("UnmarshalBinary(%q) succeeded", b)
		}
	}
}
