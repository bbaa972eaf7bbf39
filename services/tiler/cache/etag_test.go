package cache

import (
	"fmt"
	"testing"

	"github.com/patholabel/patholabel/services/tiler"
)

// The hand-appended ETag is the one fmt would make, so tags stay stable
// for browsers that cached tiles before it was written this way.
func TestTileETagMatchesItsFormat(t *testing.T) {
	for _, c := range []struct {
		kind            string
		id              int64
		level, col, row int
		crc             uint32
	}{
		{"slide", 12, 15, 3, 4, 0x0a1b2c3d},
		{"overlay", 987654321012, 0, 0, 0, 0},
		{"slide", 1, 17, 157, 163, 0xffffffff},
		{"slide", 7, 9, 12, 1, 0xf},
	} {
		p := tiler.PyramidRef{Kind: c.kind, ID: c.id}
		want := fmt.Sprintf(`"%.1s%d-%d-%d-%d-%08x"`, c.kind, c.id, c.level, c.col, c.row, c.crc)
		if got := tileETag(p, c.level, c.col, c.row, c.crc); got != want {
			t.Errorf("tileETag(%+v) = %s, want %s", c, got, want)
		}
	}
}
