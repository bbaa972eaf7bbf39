package cache

import (
	"strconv"
	"testing"

	"github.com/patholabel/patholabel/services/tiler"
)

// tiles of 936 bytes cost 1,000 each: a budget of 10,000 holds ten.
func tile() tiler.Tile { return tiler.Tile{Data: make([]byte, 1000-64)} }

func held(c *Segmented[string], prefix string, n int) (count int) {
	for i := range n {
		c.mu.Lock()
		_, ok := c.items[prefix+strconv.Itoa(i)]
		c.mu.Unlock()
		if ok {
			count++
		}
	}
	return count
}

// A cold random walk: read-ahead may use the whole budget while hot
// tiles leave it free, not only its reserve.
func TestReadAheadFillsWhatHotTilesLeave(t *testing.T) {
	c := NewSegmented[string](10_000, 2_000)
	for i := range 9 {
		c.AddAhead("a"+strconv.Itoa(i), tile())
	}
	c.Add("h0", tile())
	if got := held(c, "a", 9); got != 9 {
		t.Fatalf("read-ahead tiles held = %d, want all 9 (budget free)", got)
	}
}

// The warm case: however many blocks are read, the tiles viewers asked
// for stay.
func TestReadAheadNeverPushesHotTilesOut(t *testing.T) {
	c := NewSegmented[string](10_000, 2_000)
	for i := range 6 {
		c.Add("h"+strconv.Itoa(i), tile())
	}
	for i := range 100 {
		c.AddAhead("a"+strconv.Itoa(i), tile())
	}
	if got := held(c, "h", 6); got != 6 {
		t.Fatalf("hot tiles held = %d, want 6", got)
	}
	if hot, ahead := c.Used(); hot != 6_000 || ahead != 4_000 {
		t.Fatalf("used = %d hot, %d ahead; want 6000 and 4000", hot, ahead)
	}
	if got := held(c, "a", 100); got != 4 || held(c, "a", 96) != 0 {
		t.Fatalf("read-ahead kept %d tiles, want the 4 newest", got)
	}
}

// When hot tiles would fill the budget, read-ahead keeps its reserve, or
// it would be read and thrown away before anyone asked for it.
func TestHotTilesLeaveReadAheadItsReserve(t *testing.T) {
	c := NewSegmented[string](10_000, 2_000)
	for i := range 5 {
		c.AddAhead("a"+strconv.Itoa(i), tile())
	}
	for i := range 100 {
		c.Add("h"+strconv.Itoa(i), tile())
	}
	if hot, ahead := c.Used(); hot != 8_000 || ahead != 2_000 {
		t.Fatalf("used = %d hot, %d ahead; want 8000 and 2000", hot, ahead)
	}
	if held(c, "a", 3) != 0 || held(c, "a", 5) != 2 {
		t.Fatal("read-ahead should keep its two newest tiles")
	}
	if held(c, "h", 92) != 0 || held(c, "h", 100) != 8 {
		t.Fatal("hot should keep its eight newest tiles")
	}
}

// A read-ahead tile asked for becomes hot; adding it again as read-ahead
// leaves it hot.
func TestAskedForReadAheadTileBecomesHot(t *testing.T) {
	c := NewSegmented[string](10_000, 2_000)
	b := tile()
	c.AddAhead("x", b)
	if got, ok := c.Get("x"); !ok || &got.Data[0] != &b.Data[0] {
		t.Fatal("read-ahead tile not found")
	}
	c.AddAhead("x", tile())
	if hot, ahead := c.Used(); hot != 1_000 || ahead != 0 {
		t.Fatalf("used = %d hot, %d ahead; want 1000 and 0", hot, ahead)
	}
	if got, _ := c.Get("x"); &got.Data[0] != &b.Data[0] {
		t.Fatal("a read-ahead copy replaced the hot tile")
	}
	c.Add("y", tiler.Tile{Data: make([]byte, 20_000)})
	if _, ok := c.Get("y"); ok {
		t.Fatal("a tile bigger than the whole budget was kept")
	}
	if _, ok := NewSegmented[string](0, 0).Get("x"); ok {
		t.Fatal("a disabled cache found a tile")
	}
}

// A tile asked for since it was stored outlives the tiles stored after it
// that nobody asked for (LRU's order, kept by second chances).
func TestTileAskedForStaysLongest(t *testing.T) {
	c := NewSegmented[string](10_000, 0)
	for i := range 10 {
		c.Add("h"+strconv.Itoa(i), tile())
	}
	c.Get("h0")
	c.Get("h1")
	for i := 10; i < 18; i++ {
		c.Add("h"+strconv.Itoa(i), tile())
	}
	// Ten fit: h0 and h1, asked for, then the eight newest.
	if held(c, "h", 2) != 2 || held(c, "h", 10) != 2 || held(c, "h", 18) != 10 {
		t.Fatalf("held: first two %d (want 2), first ten %d (want 2), all %d (want 10)", held(c, "h", 2), held(c, "h", 10), held(c, "h", 18))
	}
	// Their mark was spent: unless asked for again, ten more push them out.
	for i := 18; i < 28; i++ {
		c.Add("h"+strconv.Itoa(i), tile())
	}
	if held(c, "h", 2) != 0 {
		t.Fatal("h0 and h1 kept a second time without being asked for again")
	}
}

// BenchmarkSegmentedGet: warm hits in random order over a few thousand
// tiles, the tiler's hottest lookup.
func BenchmarkSegmentedGet(b *testing.B) {
	const n = 6000
	c := NewSegmented[tileID](1<<30, 1<<28)
	for i := range n {
		c.Add(tileID{obj: "pyramids/12/ab/", level: 17, col: int32(i % 100), row: int32(i / 100)}, tile())
	}
	keys := make([]tileID, 1<<16)
	rng := uint32(1)
	for i := range keys {
		rng = rng*1664525 + 1013904223
		j := int32(rng>>8) % n
		keys[i] = tileID{obj: "pyramids/12/ab/", level: 17, col: j % 100, row: j / 100}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := c.Get(keys[i&(len(keys)-1)]); !ok {
			b.Fatal("miss")
		}
	}
}
