package vips

import "testing"

// TestPlannedTilesAreDecodedOnce reads tiles through a cache that holds
// three: a plain LRU drops tile A, which is read again after three others,
// and decodes it twice; told the reads to come, the cache drops B and C
// after their only read instead, keeps A for its second one, and holds
// nothing once the plan is done.
func TestPlannedTilesAreDecodedOnce(t *testing.T) {
	a, b, c, d := [2]int{0, 0}, [2]int{1, 0}, [2]int{2, 0}, [2]int{3, 0}
	reads := [][2]int{a, b, c, d, a}
	for _, tc := range []struct {
		name    string
		plan    bool
		decodes int
		left    int // bytes cached at the end
	}{{"lru", false, 5, 3}, {"planned", true, 4, 0}} {
		cache := newTileCache(1, 3)
		decodes := 0
		load := func(k [2]int) (*tile, error) {
			decodes++
			return &tile{key: k, w: 1, h: 1, rgb: []byte{byte(k[0])}}, nil
		}
		if tc.plan {
			cache.plan(reads)
		}
		for _, k := range reads {
			got, err := cache.get(k, load)
			if err != nil || got.rgb[0] != byte(k[0]) {
				t.Fatalf("%s: tile %v: %v, %v", tc.name, k, got, err)
			}
			cache.used(k)
		}
		if decodes != tc.decodes || cache.now != tc.left {
			t.Errorf("%s: %d decodes, %d bytes left; want %d, %d", tc.name, decodes, cache.now, tc.decodes, tc.left)
		}
	}
}

// TestUnplanKeepsTilesUnderTheLRU: after the plan is forgotten, a read
// drops nothing; the tile stays until the bound pushes it out.
func TestUnplanKeepsTilesUnderTheLRU(t *testing.T) {
	cache := newTileCache(1, 3)
	k := [2]int{5, 7}
	load := func(k [2]int) (*tile, error) { return &tile{key: k, w: 1, h: 1, rgb: []byte{1}}, nil }
	cache.plan([][2]int{k, k})
	cache.get(k, load)
	cache.used(k)
	cache.unplan()
	cache.used(k)
	if _, ok := cache.tiles[k]; !ok || len(cache.uses) != 0 {
		t.Fatalf("after unplan: cached %v, uses %v; want the tile cached and no uses", ok, cache.uses)
	}
}
